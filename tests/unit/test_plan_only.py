"""Planning only some outputs (a rebuild that keeps the others without planning them, see
outputs.unaffected_outputs) gives exactly the products a full plan has for them."""

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pressroom.pipeline import load_site, plan_products
from pressroom.site import paginate
from tests.conftest import EXAMPLE_AS_OF
from tests.test_text_edits import copy_of_example


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """The example site's index as it is, and with listings of two releases a page, each
    with its full plan."""
    site = load_site(copy_of_example(tmp_path_factory.mktemp("plan") / "site"), EXAMPLE_AS_OF)
    small_pages = replace(site, config=replace(site.config, page_size=2))
    return [(index, plan_products(index)) for index in (site, small_pages)]


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_a_plan_of_some_outputs_is_the_full_plan_of_them(sites, data):
    site, full = data.draw(st.sampled_from(sites))
    only = data.draw(st.sets(st.sampled_from([product.id for product in full])))
    assert plan_products(site, only) == [product for product in full if product.id in only]


def test_every_kind_of_output_can_be_planned_alone(sites):
    site, full = sites[1]
    assert {product.id.rsplit("/", 1)[-1] for product in full} >= {"index.html", "404.html", "atom.xml", "sitemap.xml", "build-info.json"}
    for product in full:
        assert plan_products(site, {product.id}) == [product], product.id
    assert plan_products(site, set()) == []
    assert plan_products(site, {"no/such/page.html"}) == []


@pytest.mark.parametrize("count", [0, 1, 2, 3, 7])
def test_a_listing_paginated_in_part_has_the_pages_of_the_whole(count):
    items = tuple(range(count))
    whole = paginate(items, 3, "news/")
    assert [listing.items for listing in whole] == ([items[i : i + 3] for i in range(0, count, 3)] or [()])
    for listing in whole:
        assert paginate(items, 3, "news/", lambda url: url == listing.url) == [listing]
