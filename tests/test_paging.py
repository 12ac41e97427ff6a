"""The paging of a list built in memory: the page asked for, clamped, its rows and the total."""

from review_app.paging import paginate_list


def test_a_list_in_memory_is_paged_like_a_query(app, monkeypatch):
    items = list(range(7))
    monkeypatch.setitem(app.config, "PAGE_SIZE", 3)
    for query, rows, page in (("", [0, 1, 2], 1), ("?page=3", [6], 3), ("?page=9", [6], 3),
                              ("?page=-1", [0, 1, 2], 1), ("?page=x", [0, 1, 2], 1)):  # fmt: skip
        with app.test_request_context("/" + query):
            listing = paginate_list(items)
        assert (listing.rows, listing.page, listing.pages, listing.total) == (rows, page, 3, 7)
    with app.test_request_context("/"):
        empty = paginate_list([])
    assert (empty.rows, empty.page, empty.pages, empty.total) == ([], 1, 1, 0)
