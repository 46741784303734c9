"""Citation kinds: primary or secondary publishers' domains, and unlisted domains."""

from __future__ import annotations

import pandas as pd

from supplygraph.dataset.citations import (
    citation_kind,
    cited_domains,
    domain_kind,
    unlisted_domains,
)


def test_citation_kind_needs_every_url_on_a_primary_domain():
    kinds = {"usgs.gov": "primary", "press.example.net": "secondary"}
    assert citation_kind("a – https://pubs.usgs.gov/x ; b – https://www.usgs.gov/y", kinds) == (
        "primary"
    )
    assert citation_kind("a – https://usgs.gov/x ; b – https://press.example.net/y", kinds) == (
        "secondary"
    )
    assert citation_kind("assumed: half the plant's capacity", kinds) == "none"
    # an unlisted domain beside primary ones: the row cannot be called primary
    assert citation_kind("a – https://usgs.gov/x ; b – https://other.org/y", kinds) == (
        "unclassified"
    )


def test_a_domain_takes_the_kind_of_the_longest_listed_domain_above_it():
    kinds = {"example.com": "primary", "blog.example.com": "secondary"}
    assert domain_kind("news.blog.example.com", kinds) == "secondary"
    assert domain_kind("ir.example.com", kinds) == "primary"
    assert domain_kind("example.com.evil.org", kinds) is None
    assert cited_domains("x – https://WWW.Example.com./a?b=1 ; y – http://h.example.com:8080/") == [
        "example.com",
        "h.example.com",
    ]


def test_an_unlisted_domain_is_warned_once_at_its_first_row_counting_rows_not_cells():
    table = pd.DataFrame(
        {
            "csv_line": [2, 3, 5],
            "source": ["a – https://usgs.gov/x", "b – https://new.org/y", "c – https://new.org/z"],
            "note": ["see https://new.org/n", "also https://new.org/m", ""],
        }
    )
    warnings = unlisted_domains({"t.csv": table}, {"usgs.gov": "primary"})
    # line 2 cites new.org in its note only, line 3 in both cells, line 5 in its source:
    # three rows, the first is line 2 (note)
    assert [str(w) for w in warnings] == [
        "t.csv:2: note: domain 'new.org' is not in publishers.csv: add it as primary or "
        "secondary; cited on 3 rows, this is the first"
    ]
