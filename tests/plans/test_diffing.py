"""The diff on hand-made snapshots: added, removed, reordered, changed text."""

from plans.diffing import ADDED, CHANGED, REMOVED, UNCHANGED, Words, diff_snapshots, word_diff


def snapshot(sections, statements=(), **plan):
    return {
        "schema": 1,
        "plan": {"title": "Commissioning Plan", "period": "2015-19", **plan},
        "collections": {
            "sections": [
                {"key": key, "order": order, "title": title, "body": body}
                for order, (key, title, body) in enumerate(sections, start=1)
            ],
            "statements": [
                {"key": key, "order": order, "kind": "aim", "kind_label": "Strategic aim",
                 "group": "", "title": "", "text": text}
                for order, (key, text) in enumerate(statements, start=1)
            ],
        },
    }  # fmt: skip


def sections_of(diff):
    return next(c for c in diff.collections if c.name == "sections")


def summary(diff):
    return [(i.title, i.status, i.moved) for i in sections_of(diff).items]


FOREWORD = ("k1", "Foreword", "We will consolidate the Better Care Fund plan")
CONTEXT = ("k2", "Context", "Rotherham has a £75M efficiency challenge")
CHILDREN = ("k3", "Children", "Focus on integration of children's services")


def test_identical_snapshots_have_no_changes():
    old = snapshot([FOREWORD, CONTEXT])
    diff = diff_snapshots(old, old)
    assert not diff.has_changes
    assert summary(diff) == [("Foreword", UNCHANGED, False), ("Context", UNCHANGED, False)]


def test_added_section_and_the_others_do_not_count_as_moved():
    diff = diff_snapshots(snapshot([FOREWORD, CONTEXT]), snapshot([CHILDREN, FOREWORD, CONTEXT]))
    assert summary(diff) == [
        ("Children", ADDED, False),
        ("Foreword", UNCHANGED, False),
        ("Context", UNCHANGED, False),
    ]
    assert sections_of(diff).count(ADDED) == 1


def test_removed_section_is_listed_where_it_was():
    diff = diff_snapshots(snapshot([FOREWORD, CHILDREN, CONTEXT]), snapshot([FOREWORD, CONTEXT]))
    assert summary(diff) == [
        ("Foreword", UNCHANGED, False),
        ("Children", REMOVED, False),
        ("Context", UNCHANGED, False),
    ]


def test_reordered_sections_are_moved_not_changed():
    diff = diff_snapshots(
        snapshot([FOREWORD, CONTEXT, CHILDREN]), snapshot([CHILDREN, FOREWORD, CONTEXT])
    )
    assert summary(diff) == [
        ("Children", UNCHANGED, True),
        ("Foreword", UNCHANGED, False),
        ("Context", UNCHANGED, False),
    ]
    assert sections_of(diff).moved_count == 1
    assert diff.has_changes


def test_changed_text_is_diffed_word_by_word():
    new_foreword = ("k1", "Foreword", "We will review the Better Care Fund initiatives")
    diff = diff_snapshots(snapshot([FOREWORD]), snapshot([new_foreword]))
    (item,) = sections_of(diff).items
    assert item.status == CHANGED
    (field,) = item.fields
    assert field.name == "body"
    assert field.words == [
        Words("equal", "We will "),
        Words("delete", "consolidate"),
        Words("insert", "review"),
        Words("equal", " the Better Care Fund "),
        Words("delete", "plan"),
        Words("insert", "initiatives"),
    ]


def test_renamed_section_keeps_its_identity():
    renamed = ("k2", "Context and challenge", CONTEXT[2])
    diff = diff_snapshots(snapshot([CONTEXT]), snapshot([renamed]))
    (item,) = sections_of(diff).items
    assert (item.status, item.title, [f.name for f in item.fields]) == (
        CHANGED,
        "Context and challenge",
        ["title"],
    )


def test_same_title_different_key_is_removed_and_added():
    again = ("k9", "Foreword", FOREWORD[2])
    diff = diff_snapshots(snapshot([FOREWORD]), snapshot([again]))
    assert [i.status for i in sections_of(diff).items] == [ADDED, REMOVED]


def test_plan_fields_and_statements_are_compared_too():
    old = snapshot([], [("a1", "Unscheduled Care"), ("a2", "Mental Health")], vision="Old")
    new = snapshot([], [("a2", "Mental Health – CAMHS")], vision="New")
    diff = diff_snapshots(old, new)
    assert [(f.name, f.old, f.new) for f in diff.plan_fields] == [("vision", "Old", "New")]
    statements = next(c for c in diff.collections if c.name == "statements")
    assert [(i.key, i.status) for i in statements.items] == [("a1", REMOVED), ("a2", CHANGED)]


def test_a_collection_missing_on_one_side_counts_as_empty():
    old = snapshot([FOREWORD])
    del old["collections"]["statements"]
    new = snapshot([FOREWORD], [("a1", "Unscheduled Care")])
    statements = next(c for c in diff_snapshots(old, new).collections if c.name == "statements")
    assert [i.status for i in statements.items] == [ADDED]


def test_word_diff_keeps_whitespace_and_joins_runs():
    assert word_diff("", "") == []
    assert word_diff("a b", "a b") == [Words("equal", "a b")]
    assert word_diff("", "new text") == [Words("insert", "new text")]
    assert word_diff("line one\nline two", "line one\nline 2") == [
        Words("equal", "line one\nline "),
        Words("delete", "two"),
        Words("insert", "2"),
    ]
