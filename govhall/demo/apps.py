from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo county loaded by `make run` (sits above every other app)."""

    name = "govhall.demo"
    label = "demo"
    verbose_name = "演示数据"
