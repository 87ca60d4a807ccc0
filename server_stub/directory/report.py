"""An import's summary as lines of plain text (the command line prints them)."""

from __future__ import annotations

from protocol.directory import ImportSummary

FORMAT_NAMES = {"hsca": "CQC HSCA Active Locations", "directory": "CQC directory (Trafford Data Lab)"}
DRY_RUN_NOTE = "Dry run: nothing was changed."


def summary_lines(summary: ImportSummary) -> list[str]:
    lines = [
        f"{summary.file_name} ({FORMAT_NAMES.get(summary.file_format, summary.file_format)} format)",
        f"Local authorities covered: {_areas(summary.areas)}",
        f"Added {summary.added}, updated {summary.updated}, deregistered {summary.deregistered}, "
        f"restored {summary.restored}, unchanged {summary.unchanged}; bad rows {len(summary.bad_rows)}",
    ]
    if summary.awaiting_icb:
        lines.append(f"{summary.awaiting_icb} home(s) await an administrator's choice of ICB")
    if summary.changes:
        lines.append("Changes:")
        for change in summary.changes:
            fields = f" ({', '.join(change.fields)})" if change.fields else ""
            lines.append(f"  {change.change.value:<12} {change.home_id:<14} {change.name}{fields}")
    if summary.bad_rows:
        lines.append("Bad rows (not imported):")
        lines.extend(f"  line {row.line}: {row.reason}" for row in summary.bad_rows)
    if summary.dry_run:
        lines.append(DRY_RUN_NOTE)
    return lines


def _areas(areas: list[str], shown: int = 8) -> str:
    if len(areas) <= shown:
        return ", ".join(areas) or "none"
    return f"{len(areas)} ({', '.join(areas[:shown])} and {len(areas) - shown} more)"
