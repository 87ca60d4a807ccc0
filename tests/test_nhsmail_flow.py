"""The NHSmail registration flow chart, one test per branch."""

import re
from datetime import datetime, timedelta, timezone

import pytest

from domain.nhsmail import (
    STEP_COUNT,
    NhsmailError,
    NhsmailProgress,
    OdsProblem,
    Route,
    Step,
    blocked_reason,
    choose_route,
    current_node,
    derive_step,
    flow_chart,
    login_deadlines,
    reactivate,
    record_cqc_ids,
    record_dspt,
    record_first_login,
    record_mfa,
    record_no_ods_code,
    record_ods_code,
    record_reply,
    set_users,
    start,
    step_text,
    submit,
    what_to_do,
)
from domain.readiness import stamp

HOME = "1-1938268568"
T0 = datetime(2025, 5, 3, 9, 0, tzinfo=timezone.utc)


def users(n=2, **changes):
    found = [dict(name=f"User {i}", email=f"user{i}@example.org", mobile=f"0770090{i:04d}",
                  role="owner" if i == 0 else "member") for i in range(n)]
    for index, fields in changes.items():
        found[int(index[1:])].update(fields)
    return found


def at_dspt():
    p = record_ods_code(start(HOME), "VM4R7")
    return record_cqc_ids(p, HOME, "CT-12345")


def at_users(route_sites=1):
    return choose_route(record_dspt(at_dspt(), "Standards Met", "24/25"), route_sites)


def submitted():
    return submit(set_users(at_users(), users()), T0)


def activated(reply_after=timedelta(hours=20)):
    return record_reply(submitted(), T0 + reply_after)


# --- the happy path, saved and resumed ---


def test_the_whole_flow_reaches_in_use_and_survives_a_save_at_every_step():
    p = start(HOME)
    seen = [p.step]

    def resume(progress):
        again = NhsmailProgress.model_validate_json(progress.model_dump_json())
        assert again == progress
        seen.append(again.step)
        return again

    p = resume(record_ods_code(p, " vm4r7 "))
    p = resume(record_cqc_ids(p, HOME, "CT-12345"))
    p = resume(record_dspt(p, "Approaching Standards", "24/25"))
    p = resume(choose_route(p, 1))
    p = resume(set_users(p, users(3)))
    p = resume(submit(p, T0))
    p = resume(record_reply(p, T0 + timedelta(hours=30)))
    for i in range(3):
        p = resume(record_mfa(p, f"user{i}@example.org", T0 + timedelta(days=2)))
    for i in range(3):
        p = resume(record_first_login(p, f"USER{i}@example.org", T0 + timedelta(days=3)))
    assert p.in_use and p.step is Step.IN_USE
    assert seen == [Step.ODS_CODE, Step.CQC_IDS, Step.DSPT, Step.ROUTE, Step.USERS, Step.SUBMIT, Step.AWAIT_REPLY,
                    Step.MFA, Step.MFA, Step.MFA, Step.FIRST_LOGIN, Step.FIRST_LOGIN, Step.FIRST_LOGIN, Step.IN_USE]
    assert p.ods_code == "VM4R7" and p.shared_mailbox == "care.vm4r7@nhs.net"
    assert blocked_reason(p) is None and what_to_do(p) == "Next: NHSmail in use."


def test_progress_is_a_record_with_who_changed_it():
    saved = stamp(submitted(), "champion.kay", T0)
    assert saved.record_id == f"{HOME}/nhsmail" and saved.changed_by == "champion.kay"
    assert record_reply(saved, T0 + timedelta(hours=1)).changed_by == "champion.kay"  # kept until the next stamp


def test_a_stored_step_that_disagrees_with_the_answers_is_refused():
    with pytest.raises(ValueError, match="step must be ods_code"):
        NhsmailProgress(home_id=HOME, step=Step.IN_USE)


# --- 1. ODS code ---


def test_no_ods_code_stops_with_the_cqc_advice():
    p = record_no_ods_code(start(HOME), OdsProblem.NO_CODE)
    assert p.step is Step.ODS_CODE and current_node(p) == "ods_from_cqc"
    assert "gets its ODS site code (starting with V) from its CQC registration" in blocked_reason(p)
    with pytest.raises(NhsmailError, match="CQC registration"):
        record_cqc_ids(p, HOME, "CT-1")


def test_wrong_ods_code_is_fixed_through_cqc():
    p = record_no_ods_code(start(HOME), "wrong_code")
    assert current_node(p) == "ods_fix_through_cqc" and "corrected through CQC" in blocked_reason(p)
    with pytest.raises(NhsmailError, match="corrected through CQC") as exc:
        record_ods_code(start(HOME), "X123")
    assert exc.value.node == "ods_fix_through_cqc"


def test_organisation_outside_cqc_asks_the_ods_service_and_skips_cqc_ids():
    p = record_no_ods_code(start("org-42"), OdsProblem.NOT_CQC_REGISTERED)
    assert current_node(p) == "ods_service" and "ask the ODS service" in blocked_reason(p)
    p = record_ods_code(p, "VAB12")
    assert not p.cqc_registered and p.step is Step.DSPT


def test_a_recorded_code_clears_the_problem():
    p = record_ods_code(record_no_ods_code(start(HOME), "no_code"), "VM4R7")
    assert p.ods_problem is None and p.step is Step.CQC_IDS and blocked_reason(p) is None


# --- 2. CQC IDs ---


def test_one_time_passcode_instead_of_cqc_contact_id_is_accepted():
    p = record_cqc_ids(record_ods_code(start(HOME), "VM4R7"), HOME, one_time_passcode=True)
    assert p.one_time_passcode and p.cqc_contact_id is None and p.step is Step.DSPT


def test_cqc_contact_id_or_passcode_is_needed():
    p = record_ods_code(start(HOME), "VM4R7")
    with pytest.raises(NhsmailError, match="ask for a one-time passcode instead"):
        record_cqc_ids(p, HOME)
    with pytest.raises(NhsmailError, match="is not a CQC location ID"):
        record_cqc_ids(p, "12345", "CT-1")
    with pytest.raises(NhsmailError, match="not this home's"):
        record_cqc_ids(p, "1-1111111111", "CT-1")


# --- 3. DSPT ---


@pytest.mark.parametrize("level", ["Standards Not Met", "Not Published"])
def test_dspt_below_approaching_stops_before_submitting(level):
    p = record_dspt(at_dspt(), level)
    assert p.step is Step.DSPT and current_node(p) == "dspt_first"
    assert blocked_reason(p).startswith("Complete the DSPT first")
    for command in (lambda: choose_route(p, 1), lambda: set_users(p, users()), lambda: submit(p, T0)):
        with pytest.raises(NhsmailError, match="Complete the DSPT first") as exc:
            command()
        assert exc.value.node == "dspt_first"


@pytest.mark.parametrize("level", ["Approaching Standards", "Standards Met", "Standards Exceeded"])
def test_dspt_approaching_or_better_goes_on(level):
    assert record_dspt(at_dspt(), level, "24/25").step is Step.ROUTE


def test_dspt_published_later_unblocks():
    p = record_dspt(record_dspt(at_dspt(), "Not Published"), "Standards Met", "24/25")
    assert p.step is Step.ROUTE and blocked_reason(p) is None


# --- 4. route ---


def test_single_site_uses_the_portal_and_may_not_self_manage():
    p = record_dspt(at_dspt(), "Standards Met", "24/25")
    assert choose_route(p, 1).route is Route.PORTAL
    with pytest.raises(NhsmailError, match="single-site home registers through the national administration"):
        choose_route(p, 1, self_manage=True)


def test_the_number_of_sites_is_required_for_the_route():
    p = record_dspt(at_dspt(), "Standards Met", "24/25")
    with pytest.raises(NhsmailError, match="Number of sites is required"):
        choose_route(p, None)
    with pytest.raises(NhsmailError, match="Number of sites must be at least 1"):
        choose_route(p, 0)
    # A route with no number of sites is not an answer: the home is still at the route step.
    draft = p.model_copy(update={"route": Route.PORTAL})
    assert derive_step(draft) is Step.ROUTE


def test_multi_site_provider_may_self_manage():
    p = record_dspt(at_dspt(), "Standards Met", "24/25")
    assert choose_route(p, 4, self_manage=True).route is Route.SELF_MANAGED
    assert choose_route(p, 4).route is Route.PORTAL


# --- 5. mailbox and users ---


@pytest.mark.parametrize("count", [0, 1, 11])
def test_fewer_than_two_or_more_than_ten_users_are_refused(count):
    with pytest.raises(NhsmailError, match=f"2 to 10 named users, not {count}"):
        set_users(at_users(), users(count) if count else [])


@pytest.mark.parametrize("count", [2, 10])
def test_two_to_ten_users_are_accepted(count):
    assert len(set_users(at_users(), users(count)).users) == count


def test_no_owner_is_refused():
    with pytest.raises(NhsmailError, match="at least one user must be an owner"):
        set_users(at_users(), users(2, u0={"role": "member"}))


def test_duplicate_mobile_is_refused_with_the_reason():
    with pytest.raises(NhsmailError) as exc:
        set_users(at_users(), users(3, u2={"mobile": "+44 7700 900001"}))
    assert str(exc.value) == (
        "User 1 and User 2 have the same mobile 07700900001: each user needs their own mobile "
        "(shared or duplicate contact details are a common reason for refusal)")


def test_duplicate_email_is_refused_whatever_the_case():
    with pytest.raises(NhsmailError, match="same email user0@example.org.*common reason for refusal"):
        set_users(at_users(), users(2, u1={"email": "User0@Example.org"}))


def test_shared_team_address_is_refused():
    with pytest.raises(NhsmailError, match="looks like a shared or team address"):
        set_users(at_users(), users(2, u1={"email": "info@rosehouse.co.uk"}))


def test_user_details_are_validated_with_the_field():
    with pytest.raises(NhsmailError, match="Mobile.*UK mobile number"):
        set_users(at_users(), users(2, u1={"mobile": "0161 496 0000"}))
    with pytest.raises(NhsmailError, match="Email.*must be an email address"):
        set_users(at_users(), users(2, u1={"email": "not-an-email"}))


def test_shared_mailbox_follows_the_convention_or_is_an_nhs_net_address():
    assert set_users(at_users(), users()).shared_mailbox == "care.vm4r7@nhs.net"
    assert set_users(at_users(), users(), "rose.house@nhs.net").shared_mailbox == "rose.house@nhs.net"
    with pytest.raises(NhsmailError, match="@nhs.net address like care.vm4r7@nhs.net"):
        set_users(at_users(), users(), "care@rosehouse.co.uk")
    assert "usually care.vm4r7@nhs.net" in what_to_do(at_users())


# --- 6. submit, the 48-hour wait, the reply ---


def test_cannot_submit_before_users():
    with pytest.raises(NhsmailError, match="not yet at 'Submit the form'; first: Shared mailbox"):
        submit(at_users(), T0)


def test_the_48_hour_wait_shows_when_to_expect_the_reply_and_what_to_do_if_nothing_came():
    p = submitted()
    assert p.step is Step.AWAIT_REPLY and p.reply_expected_by == T0 + timedelta(hours=48)
    assert "expect it by 5 May 2025 10:00"  # UK time (BST) in what_to_do(p, T0 + timedelta(hours=1))
    assert current_node(p, T0 + timedelta(hours=48)) == "await_reply"
    late = T0 + timedelta(hours=48, minutes=1)
    assert current_node(p, late) == "no_reply"
    assert "No reply within 48 hours" in blocked_reason(p, late) and "helpdesk" in blocked_reason(p, late)


def test_details_cannot_change_after_submitting():
    with pytest.raises(NhsmailError, match="already submitted"):
        set_users(submitted(), users(3))
    with pytest.raises(NhsmailError, match="already submitted"):
        record_dspt(submitted(), "Standards Exceeded", "24/25")


def test_a_refusal_is_fixed_and_resubmitted():
    with pytest.raises(NhsmailError, match="say why"):
        record_reply(submitted(), T0 + timedelta(hours=5), accepted=False)
    p = record_reply(submitted(), T0 + timedelta(hours=5), accepted=False, reason="two users share a mobile")
    assert p.step is Step.SUBMIT and current_node(p) == "rejected"
    assert blocked_reason(p) == ("The registration was refused: two users share a mobile. "
                                 "Fix this and submit the form again.")
    p = submit(set_users(p, users(2, u1={"mobile": "07700 911111"})), T0 + timedelta(hours=6))
    assert p.step is Step.AWAIT_REPLY and p.rejection_reason is None


def test_a_reply_before_submission_is_refused():
    with pytest.raises(NhsmailError, match="cannot come before"):
        record_reply(submitted(), T0 - timedelta(minutes=1))


# --- 7. MFA ---


def test_missing_mfa_blocks_in_use():
    p = record_mfa(activated(), "user0@example.org", T0 + timedelta(days=1))
    assert p.step is Step.MFA and not p.in_use
    assert "without multi-factor authentication there is no access" in blocked_reason(p)
    assert "User 1" in blocked_reason(p) and "User 0" not in blocked_reason(p)
    with pytest.raises(NhsmailError, match="User 1 must set up multi-factor authentication first"):
        record_first_login(p, "user1@example.org", T0 + timedelta(days=1))


def test_mfa_is_only_for_activated_users_of_this_registration():
    with pytest.raises(NhsmailError, match="not yet at 'Every user sets up"):
        record_mfa(submitted(), "user0@example.org", T0)
    with pytest.raises(NhsmailError, match="no user with email"):
        record_mfa(activated(), "someone@else.org", T0 + timedelta(days=1))


# --- 8. first login within 30 days ---


def with_mfa():
    p = activated(reply_after=timedelta(0))
    for i in range(2):
        p = record_mfa(p, f"user{i}@example.org", T0 + timedelta(hours=1))
    return p


def test_first_login_after_30_days_is_deactivated_with_advice():
    p = record_first_login(with_mfa(), "user0@example.org", T0 + timedelta(days=1))
    late = T0 + timedelta(days=30, minutes=1)
    with pytest.raises(NhsmailError, match="User 1 did not log in within 30 days") as exc:
        record_first_login(p, "user1@example.org", late)
    assert exc.value.node == "deactivated" and "reactivate" in str(exc.value)
    assert current_node(p, late) == "deactivated"
    assert "Ask the NHSmail helpdesk (national administration service) to reactivate" in blocked_reason(p, late)
    p = reactivate(p, "user1@example.org", late + timedelta(days=1))
    p = record_first_login(p, "user1@example.org", late + timedelta(days=2))
    assert p.in_use


def test_login_on_the_last_day_counts():
    p = record_first_login(with_mfa(), "user0@example.org", T0 + timedelta(days=30))
    assert p.users[0].first_login_at == T0 + timedelta(days=30)


def test_reactivating_an_active_user_is_refused():
    with pytest.raises(NhsmailError, match="not deactivated"):
        reactivate(with_mfa(), "user0@example.org", T0 + timedelta(days=2))


def test_login_deadlines_warn_when_close():
    p = record_first_login(with_mfa(), "user0@example.org", T0 + timedelta(days=1))
    statuses = {d.email: d.status for d in login_deadlines(p, T0 + timedelta(days=10))}
    assert statuses == {"user0@example.org": "logged_in", "user1@example.org": "ok"}
    warning = {d.email: d for d in login_deadlines(p, T0 + timedelta(days=25))}["user1@example.org"]
    assert warning.status == "warning" and warning.days_left == 5
    assert what_to_do(p, T0 + timedelta(days=25)) == (
        "Log in soon or the account is deactivated: User 1: 5 days left (by 02 Jun 2025).")
    assert {d.status for d in login_deadlines(p, T0 + timedelta(days=31))} == {"logged_in", "deactivated"}


# --- the chart ---


def test_flow_chart_has_every_step_and_branch_and_highlights_the_current_node():
    chart = flow_chart()
    ids = {n.id for n in chart.nodes}
    assert {s.value for s in Step} <= ids
    assert {"ods_from_cqc", "ods_fix_through_cqc", "ods_service", "one_time_passcode", "dspt_first", "portal",
            "self_managed", "rejected", "no_reply", "deactivated"} <= ids
    assert all(e.source in ids and e.target in ids for e in chart.edges)
    assert all(any(e.source == n.id or e.target == n.id for e in chart.edges) for n in chart.nodes)
    assert [chart.node(s.value).number for s in Step][:3] == ["1", "2", "3"]
    assert chart.node("in_use").kind == "end" and chart.node("dspt_first").kind == "blocked"
    assert chart.current is None
    dspt_edges = {e.label for e in chart.edges if e.source == "dspt"}
    assert dspt_edges == {"Approaching Standards or better", "Standards Not Met or Not Published"}
    assert flow_chart(record_dspt(at_dspt(), "Standards Not Met")).current == "dspt_first"
    assert flow_chart(submitted(), T0 + timedelta(days=3)).current == "no_reply"
    assert flow_chart(start(HOME)).current == "ods_code"


def test_the_step_line_counts_the_numbered_steps():
    assert STEP_COUNT == 9  # every step its own number: waiting for the reply is step 7
    assert step_text(start(HOME)) == "Step 1 of 9: ODS site code (starts with V)"
    assert step_text(activated()) == "Step 8 of 9: Every user sets up multi-factor authentication"
    done = activated()
    for user in users():
        done = record_mfa(done, user["email"], T0 + timedelta(days=2))
    for user in users():
        done = record_first_login(done, user["email"], T0 + timedelta(days=3))
    assert step_text(done) == "NHSmail in use"


def test_every_numbered_step_of_the_chart_has_its_own_number():
    numbers = [node.number for node in flow_chart().nodes if node.number]
    assert numbers == [str(n) for n in range(1, STEP_COUNT + 1)]


def test_the_drawn_chart_numbers_its_steps_uniquely():
    from client.views.nhsmail_chart_view import NhsmailChartView

    view = NhsmailChartView(flow_chart(submitted()))
    titles = [text.value for text in _texts(view) if re.match(r"^\d+\. ", text.value or "")]
    numbers = [title.split(".", 1)[0] for title in titles]
    assert numbers == [str(n) for n in range(1, STEP_COUNT + 1)]
    assert "7. Wait for the reply (usually within 48 hours)" in titles


def _texts(control):
    import flet as ft

    if isinstance(control, ft.Text):
        yield control
    for attr in ("controls", "content"):
        child = getattr(control, attr, None)
        for c in child if isinstance(child, list) else [child] if child is not None else []:
            yield from _texts(c)
