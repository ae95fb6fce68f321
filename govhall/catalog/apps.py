from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "govhall.catalog"
    label = "catalog"
    verbose_name = "事项目录"

    def ready(self):
        # 授权书 items are audited from their own module: declare its actions at start-up,
        # so a history page can label them before the module was otherwise imported.
        from . import authorisations  # noqa: F401
