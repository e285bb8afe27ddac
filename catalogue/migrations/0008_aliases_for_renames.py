"""Book aliases are made by renames too (a changed slug or ISBN), not only by merges."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0007_book_aliases"),
    ]

    operations = [
        migrations.RenameField("bookalias", "merged_at", "created_at"),
        migrations.AlterField(
            model_name="bookalias",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="since"),
        ),
        migrations.AlterModelOptions(
            name="bookalias",
            options={"ordering": ["-created_at", "-pk"], "verbose_name_plural": "book aliases"},
        ),
        migrations.AddField(
            model_name="bookalias",
            name="reason",
            field=models.CharField(
                choices=[("merged", "Merged into it"), ("renamed", "Renamed")],
                default="merged",
                max_length=10,
            ),
        ),
        migrations.AlterField(
            model_name="bookalias",
            name="slug",
            field=models.SlugField(allow_unicode=True, blank=True, max_length=255),
        ),
    ]
