"""The NHSmail registration flow chart, drawn as a vertical list of steps with arrows and branch notes.

The home's current node (``FlowChart.current``) is highlighted: bold, with a
coloured border, and carries the semantics identifier ``nhsmail-current``
(its label is the node's label). A side branch that holds the home up (e.g.
"Complete the DSPT first") is highlighted under the step it branches from.
"""

from __future__ import annotations

import flet as ft

from domain.nhsmail import FlowChart, FlowNode, Step

MAIN_STEPS = {s.value for s in Step}
BLOCKED_COLOUR = ft.Colors.RED_700
CURRENT_COLOUR = ft.Colors.BLUE_800


class NhsmailChartView(ft.Column):
    def __init__(self, chart: FlowChart) -> None:
        super().__init__(spacing=0, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
        self._shown: FlowChart | None = None
        self.show(chart)

    def show(self, chart: FlowChart) -> None:
        if chart == self._shown:  # a sync tick: the same chart keeps its boxes (and a screen reader's place)
            return
        self._shown = chart
        out_edges: dict[str, list] = {}
        for edge in chart.edges:
            out_edges.setdefault(edge.source, []).append(edge)
        steps = [n for n in chart.nodes if n.id in MAIN_STEPS]
        passed = True
        controls: list[ft.Control] = []
        for index, node in enumerate(steps):
            is_current = chart.current == node.id
            branches = [e for e in out_edges.get(node.id, []) if e.target not in MAIN_STEPS]
            holds_current = any(e.target == chart.current for e in branches)
            if is_current or holds_current:
                passed = False
            controls.append(_step_box(node, is_current, done=passed and chart.current is not None))
            for edge in branches:
                target = chart.node(edge.target)
                controls.append(_branch_note(target, edge.label, chart.current == target.id))
            if index + 1 < len(steps):
                following = steps[index + 1].id
                label = next((e.label for e in out_edges.get(node.id, []) if e.target == following), "")
                controls.append(_arrow(label))
        self.controls = controls


def _step_box(node: FlowNode, current: bool, done: bool) -> ft.Control:
    title = f"{node.number}. {node.label}" if node.number else node.label
    icon = ft.Icons.CHECK_CIRCLE if done else (ft.Icons.PLAY_CIRCLE if current else ft.Icons.RADIO_BUTTON_UNCHECKED)
    colour = ft.Colors.GREEN_700 if done else (CURRENT_COLOUR if current else ft.Colors.OUTLINE)
    box = ft.Container(
        ft.Row([ft.Icon(icon, color=colour, size=20),
                ft.Text(title, size=14, expand=True,
                        weight=ft.FontWeight.BOLD if current else ft.FontWeight.NORMAL,
                        color=CURRENT_COLOUR if current else None)],
               spacing=8, vertical_alignment=ft.CrossAxisAlignment.CENTER),
        padding=ft.Padding.symmetric(horizontal=10, vertical=8),
        border=ft.Border.all(3 if current else 1, CURRENT_COLOUR if current else ft.Colors.OUTLINE_VARIANT),
        border_radius=8,
        bgcolor=ft.Colors.BLUE_50 if current else None,
    )
    if current:
        return ft.Semantics(identifier="nhsmail-current", label=f"Current step: {node.label}", content=box)
    return box


def _branch_note(node: FlowNode, condition: str, current: bool) -> ft.Control:
    blocked = node.kind == "blocked"
    colour = BLOCKED_COLOUR if blocked else ft.Colors.ON_SURFACE_VARIANT
    text = f"{condition}: {node.label}" if condition else node.label
    note = ft.Container(
        ft.Row([ft.Icon(ft.Icons.SUBDIRECTORY_ARROW_RIGHT, size=16, color=colour),
                ft.Text(text, size=12, expand=True, color=colour if current else ft.Colors.ON_SURFACE_VARIANT,
                        weight=ft.FontWeight.BOLD if current else ft.FontWeight.NORMAL)], spacing=4),
        margin=ft.Margin.only(left=28, top=2, bottom=2),
        padding=ft.Padding.symmetric(horizontal=8, vertical=4) if current else 0,
        border=ft.Border.all(3, colour) if current else None,
        border_radius=8,
        bgcolor=(ft.Colors.RED_50 if blocked else ft.Colors.BLUE_50) if current else None,
    )
    if current:
        return ft.Semantics(identifier="nhsmail-current", label=f"Current step: {node.label}", content=note)
    return note


def _arrow(label: str) -> ft.Control:
    return ft.Container(
        ft.Row([ft.Icon(ft.Icons.ARROW_DOWNWARD, size=16, color=ft.Colors.OUTLINE),
                ft.Text(label, size=11, color=ft.Colors.ON_SURFACE_VARIANT, italic=True, expand=True)],
               spacing=4),
        margin=ft.Margin.only(left=12, top=2, bottom=2),
    )
