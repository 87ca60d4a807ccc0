"""Printable reports made on the device, offline (no Flet: they may import domain, protocol and assets only)."""

from client.reports.readiness_pdf import readiness_summary_pdf

__all__ = ["readiness_summary_pdf"]
