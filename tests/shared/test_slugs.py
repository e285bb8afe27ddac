"""Slugs for many new rows at once (imports): each the first free one, in a few queries."""

from catalogue.models import Author
from shared.slugs import allocate_slugs


def test_a_common_name_gets_its_first_free_number_in_a_few_queries(
    db, django_assert_max_num_queries
):
    Author.objects.bulk_create(
        [Author(name="John Smith", slug="john-smith")]
        + [Author(name="John Smith", slug=f"john-smith-{n}") for n in range(2, 301) if n != 150]
    )
    with django_assert_max_num_queries(12):
        assert allocate_slugs(Author, ["John Smith", "John Smith"]) == [
            "john-smith-150",
            "john-smith-301",
        ]
