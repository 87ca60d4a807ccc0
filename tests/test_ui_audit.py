"""The UI audit's rules (tests/support/ui_audit.py) on small synthetic screens: each rule finds what is wrong and
says nothing about what is right, so an empty audit in the browser tests means something."""

from __future__ import annotations

from tests.support.ui_audit import Box, Control, Scroller, audit

PHONE = Box(0, 0, 390, 844)


def button(key: str, box: Box, name: str = "Save", **kwargs) -> Control:
    return Control(key=key, kind=kwargs.pop("kind", "button"), name=name, box=box, **kwargs)


def rules(controls: list[Control], viewport: Box = PHONE) -> list[str]:
    return [finding.rule for finding in audit(controls, viewport)]


def test_a_well_laid_out_screen_has_no_findings():
    controls = [button("a", Box(16, 16, 120, 48), "Save"), button("b", Box(146, 16, 120, 48), "Cancel"),
                button("c", Box(16, 80, 358, 56), "Name", kind="field")]
    assert audit(controls, PHONE) == []


def test_a_control_cut_by_the_right_edge_is_clipped():
    findings = audit([button("a", Box(300, 16, 120, 48))], PHONE)
    assert [f.rule for f in findings] == ["clipped"]
    assert "cut sideways" in findings[0].message


def test_a_control_below_the_fold_where_nothing_scrolls_is_clipped():
    assert rules([button("a", Box(16, 820, 120, 48))]) == ["clipped"]


def test_a_control_below_the_fold_of_a_scrolling_list_is_fine():
    scroll = Scroller(Box(0, 0, 390, 700), vertical=True)
    assert rules([button("a", Box(16, 900, 120, 48), scrollers=(scroll,))]) == []


def test_a_control_cut_sideways_inside_a_scrolling_list_is_clipped():
    scroll = Scroller(Box(16, 0, 358, 700), vertical=True)
    assert rules([button("a", Box(16, 100, 370, 48), scrollers=(scroll,))]) == ["clipped"]


def test_a_control_in_a_list_that_scrolls_sideways_may_go_past_the_list_but_not_the_viewport():
    scroll = Scroller(Box(16, 0, 358, 700), vertical=False, horizontal=True)
    assert rules([button("a", Box(300, 100, 80, 48), scrollers=(scroll,))]) == []
    assert rules([button("a", Box(350, 100, 80, 48), scrollers=(scroll,))]) == ["clipped"]


def test_overlapping_controls_are_found_and_touching_ones_are_not():
    findings = audit([button("a", Box(16, 16, 120, 48), "Save"), button("b", Box(100, 40, 120, 48), "Cancel")], PHONE)
    assert [f.rule for f in findings] == ["overlap"]
    assert set(findings[0].keys) == {"a", "b"}
    assert rules([button("a", Box(16, 16, 120, 48), "Save"), button("b", Box(136, 16, 120, 48), "Cancel")]) == []


def test_a_control_inside_another_in_the_tree_does_not_overlap_it():
    outer = button("outer", Box(16, 16, 358, 64), "Workforce")
    inner = button("inner", Box(300, 24, 48, 48), "Edit workforce", ancestors=("outer",))
    assert rules([outer, inner]) == []


def test_a_button_drawn_inside_a_field_is_the_fields_own_but_one_sticking_out_overlaps():
    field = button("field", Box(16, 16, 300, 56), "Password", kind="field")
    assert rules([field, button("eye", Box(264, 20, 48, 48), "Show password")]) == []
    assert rules([field, button("eye", Box(290, 20, 48, 48), "Show password")]) == ["overlap"]


def test_a_list_row_scrolled_under_a_pinned_bar_overlaps_only_if_the_list_runs_under_the_bar():
    bar = button("bar", Box(16, 740, 176, 56), "No change - confirm")
    under_the_list = Scroller(Box(16, 16, 358, 828))  # the list runs under the pinned bar
    above_the_bar = Scroller(Box(16, 16, 358, 700))  # the list ends where the bar starts
    row = Box(16, 744, 199, 48)
    assert rules([bar, button("row", row, "Closed to admissions", kind="switch", scrollers=(under_the_list,))]) \
        == ["overlap"]
    assert rules([bar, button("row", row, "Closed to admissions", kind="switch", scrollers=(above_the_bar,))]) == []


def test_a_target_under_48_px_either_way_is_small():
    assert rules([button("a", Box(16, 16, 171, 32))]) == ["small"]
    assert rules([button("a", Box(16, 16, 44, 48))]) == ["small"]
    assert rules([button("a", Box(16, 16, 47.8, 48))]) == []  # sub-pixel rounding


def test_a_target_half_scrolled_out_of_its_list_is_not_small_but_one_inside_it_is():
    scroll = Scroller(Box(0, 0, 390, 700))
    assert rules([button("a", Box(16, 670, 52, 30), scrollers=(scroll,))]) == []  # cut by the list's bottom
    assert rules([button("a", Box(16, 600, 52, 30), scrollers=(scroll,))]) == ["small"]


def test_a_button_named_only_by_its_wrapping_group_is_unnamed():
    findings = audit([button("a", Box(16, 16, 48, 48), "", group_name="Fewer: Occupied")], PHONE)
    assert [f.rule for f in findings] == ["unnamed"]
    assert "Fewer: Occupied" in findings[0].message


def test_fields_and_dropdowns_need_names_of_their_own_too():
    assert rules([button("a", Box(16, 16, 200, 56), " ", kind="field")]) == ["unnamed"]
    assert rules([button("a", Box(16, 16, 200, 56), "", kind="dropdown")]) == ["unnamed"]


def test_two_different_buttons_with_one_name_are_duplicates():
    findings = audit([button("a", Box(16, 16, 120, 48), "MFA set up"),
                      button("b", Box(16, 80, 120, 48), "MFA  set up")], PHONE)
    assert [f.rule for f in findings] == ["duplicate"]
    assert set(findings[0].keys) == {"a", "b"}


def test_words_running_off_the_side_are_clipped_but_not_in_a_list_that_scrolls_sideways():
    status = button("t", Box(120, 100, 300, 20), "Read, not acknowledged", kind="text")
    assert rules([status]) == ["clipped"]
    sideways = Scroller(Box(0, 0, 390, 700), vertical=False, horizontal=True)
    assert rules([button("t", Box(120, 100, 300, 20), "Residential", kind="text", scrollers=(sideways,))]) == []
    # Words that run past the card they sit in are cut at its edge too.
    assert rules([button("t", Box(126, 98, 248, 37), "Read, not acknowledged", kind="text",
                         within=Box(36, 98, 322, 244))]) == ["clipped"]
    assert rules([button("t", Box(126, 98, 200, 37), "New", kind="text", within=Box(36, 98, 322, 244))]) == []
    # Words are no target and have no name to give: a small or overlapped text is not a finding.
    assert rules([button("t", Box(16, 16, 40, 14), "Urgent", kind="text"), button("b", Box(16, 16, 120, 48))]) == []
