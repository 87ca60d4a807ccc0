"""Flet screens. They build controls from screen state (client.state) and forward events; no rules live here."""

from client.views.shell import AppShell

__all__ = ["AppShell"]
