"""The sitemap index dates the articles' section by MAX(updated_at): an index for it."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0006_article_search_document'),
        ('catalogue', '0014_book_search_document'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='article',
            index=models.Index(fields=['updated_at'], name='article_updated'),
        ),
    ]
