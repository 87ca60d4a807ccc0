"""The first screen of an area account with no screen of its own yet: the account bar and what the device keeps.

Commissioners, hospital users and administrators have their own first screens (area_overview_view.py,
hospital_view.py, admin_view.py); any other account without a home lands here, still syncing its area (with
progress), and can always sign out or sign in again from the same bar as theirs.
"""

from __future__ import annotations

import flet as ft

from client.views.account_bar import AccountBar, FollowsAccountBar


class AreaView(FollowsAccountBar, ft.Column):
    def __init__(self, account_bar: AccountBar) -> None:
        super().__init__(spacing=12)
        self.account_bar = account_bar
        self.controls = [
            account_bar,
            ft.Text("Your account is not linked to a care home or an area yet, so there is nothing to show here. "
                    "Ask your administrator to link it, then sign in again."),
        ]
