"""``--help`` in typer's Rich layout, without importing ``typer.rich_utils``.

``typer.rich_utils`` imports ``rich.markdown`` (markdown-it) and ``rich.traceback`` (rich.pretty,
attrs, pygments) at its top, for Markdown help and pretty tracebacks, neither of which this CLI
uses (Rich markup mode, ``pretty_exceptions_enable=False``): about 0.1 s of the 0.4 s that
``--help`` took. :func:`format_help` is typer 0.29.2's ``rich_format_help`` for Rich markup
mode (MIT licence), so the help prints byte for byte as typer prints it; any other typer
version, another markup mode, or ``typer.rich_utils`` already loaded (its styles may have been
changed) goes to typer's own. ``tests/test_cli_help.py`` compares the two for every command.
Errors (bad options, missing arguments) are still typer's own.
"""

from __future__ import annotations

import inspect
import sys
from collections import defaultdict
from collections.abc import Iterable
from gettext import gettext as _
from os import getenv
from typing import TYPE_CHECKING, Any

import typer
import typer.core
from rich.highlighter import RegexHighlighter
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption
from typer.models import DefaultPlaceholder

from .formatting.terminal import sane_width

if TYPE_CHECKING:
    from rich.columns import Columns
    from rich.console import RenderableType
    from rich.text import Text

FOLLOWS_TYPER = ("0.29.2", "0.29.3")
"""The typer versions whose ``rich_utils`` help this reproduces (checked by the tests; 0.29.3
changed only ``_param_types``, its ``rich_utils`` is 0.29.2's byte for byte)."""

# typer.rich_utils' settings, read from the environment at import as it reads them.
STYLE_OPTION = "bold cyan"
STYLE_SWITCH = "bold green"
STYLE_NEGATIVE_OPTION = "bold magenta"
STYLE_NEGATIVE_SWITCH = "bold red"
STYLE_TYPES = "bold yellow"
STYLE_TYPES_SEPARATOR = "dim"
STYLE_USAGE = "yellow"
STYLE_USAGE_COMMAND = "bold"
STYLE_DEPRECATED = "red"
STYLE_DEPRECATED_COMMAND = "dim"
STYLE_HELPTEXT_FIRST_LINE = ""
STYLE_HELPTEXT = "dim"
STYLE_OPTION_HELP = ""
STYLE_OPTION_DEFAULT = "dim"
STYLE_OPTION_ENVVAR = "dim yellow"
STYLE_REQUIRED_SHORT = "red"
STYLE_REQUIRED_LONG = "dim red"
STYLE_OPTIONS_PANEL_BORDER = "dim"
STYLE_COMMANDS_PANEL_BORDER = "dim"
STYLE_COMMANDS_TABLE_FIRST_COLUMN = "bold cyan"


# typer's int() on TERMINAL_WIDTH ended every command (this module is read on start-up) in a
# traceback and exit 1; a width of 0 or less printed help as nothing; 99999999999 ran out of
# memory: such a value is ignored, and a narrow one raised to 40 columns
# (formatting.terminal.sane_width).
MAX_WIDTH = sane_width(getenv("TERMINAL_WIDTH"))
FORCE_TERMINAL = (
    True if getenv("GITHUB_ACTIONS") or getenv("FORCE_COLOR") or getenv("PY_COLORS") else None
)
if getenv("_TYPER_FORCE_DISABLE_TERMINAL"):
    FORCE_TERMINAL = False

DEPRECATED_STRING = _("(deprecated) ")
DEFAULT_STRING = _("[default: {}]")
ENVVAR_STRING = _("[env var: {}]")
REQUIRED_SHORT_STRING = "*"
REQUIRED_LONG_STRING = _("[required]")
RANGE_STRING = " [{}]"
ARGUMENTS_PANEL_TITLE = _("Arguments")
OPTIONS_PANEL_TITLE = _("Options")
COMMANDS_PANEL_TITLE = _("Commands")
_RICH_HELP_PANEL_NAME = "rich_help_panel"


def _own_help(obj: TyperCommand | TyperGroup) -> bool:
    return (
        getattr(typer.core, "HAS_RICH", False)  # (typer < 0.17 has none: its own help then)
        and obj.rich_markup_mode == "rich"
        and typer.__version__ in FOLLOWS_TYPER
        and "typer.rich_utils" not in sys.modules
    )


class HelpCommand(TyperCommand):
    """A typer command whose ``--help`` is :func:`format_help`."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        if _own_help(self):
            format_help(self, ctx)
        else:
            super().format_help(ctx, formatter)


class HelpGroup(TyperGroup):
    """A typer group whose ``--help`` is :func:`format_help`."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        if _own_help(self):
            format_help(self, ctx)
        else:
            super().format_help(ctx, formatter)


def use_help_classes(app: typer.Typer) -> None:
    """Give every group and command of ``app`` that has typer's own class :class:`HelpGroup`
    or :class:`HelpCommand` instead (what ``cls=`` on each ``Typer()`` and ``command()`` would
    set); a class of their own is kept."""
    if app.info.cls in (None, TyperGroup) or isinstance(app.info.cls, DefaultPlaceholder):
        app.info.cls = HelpGroup
    for command in app.registered_commands:
        if command.cls in (None, TyperCommand):
            command.cls = HelpCommand
    for group in app.registered_groups:
        if isinstance(group.typer_instance, typer.Typer):
            use_help_classes(group.typer_instance)


class OptionHighlighter(RegexHighlighter):
    """Highlights our special options."""

    highlights = [
        r"(^|\W)(?P<switch>\-\w+)(?![a-zA-Z0-9])",
        r"(^|\W)(?P<option>\-\-[\w\-]+)(?![a-zA-Z0-9])",
        r"(?P<types>\<[^\>]+\>)",
        r"(?P<usage>Usage: )",
    ]


class NegativeOptionHighlighter(RegexHighlighter):
    highlights = [
        r"(^|\W)(?P<negative_switch>\-\w+)(?![a-zA-Z0-9])",
        r"(^|\W)(?P<negative_option>\-\-[\w\-]+)(?![a-zA-Z0-9])",
    ]


class TypesHighlighter(RegexHighlighter):
    highlights = [
        r"^(?P<types_sep>(\[|<))",
        r"(?P<types_sep>\|)",
        r"(?P<types_sep>(\]|>))(\.\.\.)?$",
    ]


highlighter = OptionHighlighter()
negative_highlighter = NegativeOptionHighlighter()
types_highlighter = TypesHighlighter()


class _Help:
    """One help page being printed (typer's module-level helpers, as methods)."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.theme import Theme

        self.console = Console(
            theme=Theme(
                {
                    "option": STYLE_OPTION,
                    "switch": STYLE_SWITCH,
                    "negative_option": STYLE_NEGATIVE_OPTION,
                    "negative_switch": STYLE_NEGATIVE_SWITCH,
                    "types": STYLE_TYPES,
                    "types_sep": STYLE_TYPES_SEPARATOR,
                    "usage": STYLE_USAGE,
                },
            ),
            highlighter=highlighter,
            color_system="auto",
            force_terminal=FORCE_TERMINAL,
            width=MAX_WIDTH,
        )

    def rich_text(self, *, text: str, style: str = "") -> Text:
        from rich.text import Text

        text = inspect.cleandoc(text)
        if "\033[" in text:
            return highlighter(Text.from_ansi(text, style=style))
        return highlighter(Text.from_markup(text, style=style))

    def help_text(self, obj: TyperCommand | TyperGroup) -> Iterable[Text]:
        from rich.text import Text

        if obj.deprecated:
            yield Text(DEPRECATED_STRING, style=STYLE_DEPRECATED)
        help_text = inspect.cleandoc(obj.help or "")
        help_text = help_text.partition("\f")[0]
        first_line, *remaining_paragraphs = help_text.split("\n\n")
        if not first_line.startswith("\b"):
            first_line = first_line.replace("\n", " ")
        yield self.rich_text(text=first_line.strip(), style=STYLE_HELPTEXT_FIRST_LINE)
        if remaining_paragraphs:
            yield Text("")
            yield self.rich_text(text="\n\n".join(remaining_paragraphs), style=STYLE_HELPTEXT)

    def parameter_help(self, *, param: Any, ctx: Any) -> Columns:
        from rich.columns import Columns
        from rich.text import Text

        items: list[Text] = []
        envvar = getattr(param, "envvar", None)
        var_str = ""
        if (
            envvar is None
            and getattr(param, "allow_from_autoenv", None)
            and getattr(ctx, "auto_envvar_prefix", None) is not None
            and param.name
        ):
            envvar = f"{ctx.auto_envvar_prefix}_{param.name.upper()}"
        if envvar is not None:
            var_str = envvar if isinstance(envvar, str) else ", ".join(str(d) for d in envvar)
        help_value: str | None = getattr(param, "help", None)
        if help_value:
            paragraphs = help_value.split("\n\n")
            paragraphs = [
                x.replace("\n", " ").strip()
                if not x.startswith("\b")
                else "{}\n".format(x.strip("\b\n"))
                for x in paragraphs
            ]
            items.append(
                self.rich_text(text="\n".join(paragraphs).strip(), style=STYLE_OPTION_HELP)
            )
        if envvar and getattr(param, "show_envvar", None):
            items.append(Text(ENVVAR_STRING.format(var_str), style=STYLE_OPTION_ENVVAR))
        if isinstance(param, (TyperOption, TyperArgument)):
            default_value = param._extract_default_help_str(ctx=ctx)
            show_default_is_str = isinstance(param.show_default, str)
            if show_default_is_str or (
                default_value is not None and (param.show_default or ctx.show_default)
            ):
                default_str = param._get_default_string(
                    ctx=ctx,
                    show_default_is_str=show_default_is_str,
                    default_value=default_value,
                )
                if default_str:
                    items.append(
                        Text(DEFAULT_STRING.format(default_str), style=STYLE_OPTION_DEFAULT)
                    )
        if param.required:
            items.append(Text(REQUIRED_LONG_STRING, style=STYLE_REQUIRED_LONG))
        return Columns(items)

    def command_help(self, help_text: str) -> Text:
        paragraphs = inspect.cleandoc(help_text).split("\n\n")
        if paragraphs[0].startswith("\b"):
            paragraphs[0] = paragraphs[0].replace("\b\n", "")
        return self.rich_text(text=paragraphs[0].strip(), style=STYLE_OPTION_HELP)

    def options_panel(self, *, name: str, params: list[Any], ctx: Any) -> None:
        from rich.panel import Panel
        from rich.table import Table
        from rich.text import Text

        options_rows: list[list[RenderableType]] = []
        required_rows: list[str | Text] = []
        for param in params:
            opt_long_strs = []
            opt_short_strs = []
            secondary_opt_long_strs = []
            secondary_opt_short_strs = []
            display_name: str | None = None
            if isinstance(param, TyperArgument):
                display_name = param.display_name_raw
                if param.metavar is None and param.nargs != 1:
                    display_name += "..."
            for opt_str in param.opts:
                if "--" in opt_str:
                    opt_long_strs.append(opt_str)
                elif display_name:
                    opt_short_strs.append(display_name)
                else:
                    opt_short_strs.append(opt_str)
            for opt_str in param.secondary_opts:
                if "--" in opt_str:
                    secondary_opt_long_strs.append(opt_str)
                elif display_name:
                    secondary_opt_short_strs.append(display_name)
                else:
                    secondary_opt_short_strs.append(opt_str)
            types_data = Text(style=STYLE_TYPES, overflow="fold")
            display_type_str = param.display_type_rich(ctx=ctx)
            if display_type_str is not None:
                types_data.append(display_type_str)
            range_str = param._get_number_range_help_str()
            if range_str:
                types_data.append(RANGE_STRING.format(range_str))
            required: str | Text = ""
            if param.required:
                required = Text(REQUIRED_SHORT_STRING, style=STYLE_REQUIRED_SHORT)
            required_rows.append(required)
            options_rows.append(
                [
                    highlighter(",".join(opt_long_strs)),
                    highlighter(",".join(opt_short_strs)),
                    negative_highlighter(",".join(secondary_opt_long_strs)),
                    negative_highlighter(",".join(secondary_opt_short_strs)),
                    types_highlighter(types_data),
                    self.parameter_help(param=param, ctx=ctx),
                ]
            )
        rows_with_required: list[list[RenderableType]] = []
        if any(required_rows):
            for required, row in zip(required_rows, options_rows, strict=True):
                rows_with_required.append([required, *row])
        else:
            rows_with_required = options_rows
        if options_rows:
            options_table = Table(
                highlight=True,
                show_header=False,
                expand=True,
                box=None,
                show_lines=False,
                leading=0,
                border_style=None,
                row_styles=None,
                pad_edge=False,
                padding=(0, 1),
            )
            for row in rows_with_required:
                options_table.add_row(*row)
            self.console.print(
                Panel(
                    options_table,
                    border_style=STYLE_OPTIONS_PANEL_BORDER,
                    title=name,
                    title_align="left",
                )
            )

    def commands_panel(self, *, name: str, commands: list[Any], cmd_len: int) -> None:
        from rich.panel import Panel
        from rich.table import Table
        from rich.text import Text

        commands_table = Table(
            highlight=False,
            show_header=False,
            expand=True,
            box=None,
            show_lines=False,
            leading=0,
            border_style=None,
            row_styles=None,
            pad_edge=False,
            padding=(0, 1),
        )
        commands_table.add_column(
            style=STYLE_COMMANDS_TABLE_FIRST_COLUMN, no_wrap=True, width=cmd_len
        )
        commands_table.add_column("Description", justify="left", no_wrap=False, ratio=10)
        rows: list[list[RenderableType | None]] = []
        deprecated_rows: list[RenderableType | None] = []
        for command in commands:
            helptext = command.short_help or command.help or ""
            command_name = command.name or ""
            if command.deprecated:
                command_name_text = Text(f"{command_name}", style=STYLE_DEPRECATED_COMMAND)
                deprecated_rows.append(Text(DEPRECATED_STRING, style=STYLE_DEPRECATED))
            else:
                command_name_text = Text(command_name)
                deprecated_rows.append(None)
            rows.append([command_name_text, self.command_help(helptext)])
        rows_with_deprecated = rows
        if any(deprecated_rows):
            rows_with_deprecated = []
            for row, deprecated_text in zip(rows, deprecated_rows, strict=True):
                rows_with_deprecated.append([*row, deprecated_text])
        for row in rows_with_deprecated:
            commands_table.add_row(*row)
        if commands_table.row_count:
            self.console.print(
                Panel(
                    commands_table,
                    border_style=STYLE_COMMANDS_PANEL_BORDER,
                    title=name,
                    title_align="left",
                )
            )


def format_help(obj: TyperCommand | TyperGroup, ctx: Any) -> None:
    """Print ``obj``'s help as typer's ``rich_utils.rich_format_help`` does in Rich markup mode."""
    from rich.align import Align
    from rich.console import Group
    from rich.padding import Padding

    page = _Help()
    page.console.print(Padding(highlighter(obj.get_usage(ctx)), 1), style=STYLE_USAGE_COMMAND)
    if obj.help:
        help_text = Group(*page.help_text(obj), fit=True)
        page.console.print(Padding(Align(help_text, pad=False), (0, 1, 1, 1)))
    panel_to_arguments: defaultdict[str, list[Any]] = defaultdict(list)
    panel_to_options: defaultdict[str, list[Any]] = defaultdict(list)
    for param in obj.get_params(ctx):
        if getattr(param, "hidden", False):
            continue
        if isinstance(param, TyperArgument):
            panel_name = getattr(param, _RICH_HELP_PANEL_NAME, None) or ARGUMENTS_PANEL_TITLE
            panel_to_arguments[panel_name].append(param)
        elif isinstance(param, TyperOption):
            panel_name = getattr(param, _RICH_HELP_PANEL_NAME, None) or OPTIONS_PANEL_TITLE
            panel_to_options[panel_name].append(param)
    page.options_panel(
        name=ARGUMENTS_PANEL_TITLE,
        params=panel_to_arguments.get(ARGUMENTS_PANEL_TITLE, []),
        ctx=ctx,
    )
    for panel_name, arguments in panel_to_arguments.items():
        if panel_name != ARGUMENTS_PANEL_TITLE:
            page.options_panel(name=panel_name, params=arguments, ctx=ctx)
    page.options_panel(
        name=OPTIONS_PANEL_TITLE, params=panel_to_options.get(OPTIONS_PANEL_TITLE, []), ctx=ctx
    )
    for panel_name, options in panel_to_options.items():
        if panel_name != OPTIONS_PANEL_TITLE:
            page.options_panel(name=panel_name, params=options, ctx=ctx)
    if isinstance(obj, TyperGroup):
        panel_to_commands: defaultdict[str, list[Any]] = defaultdict(list)
        for command_name in obj.list_commands(ctx):
            command = obj.get_command(ctx, command_name)
            if command and not command.hidden:
                panel_name = getattr(command, _RICH_HELP_PANEL_NAME, None) or COMMANDS_PANEL_TITLE
                panel_to_commands[panel_name].append(command)
        max_cmd_len = max(
            [
                len(command.name or "")
                for commands in panel_to_commands.values()
                for command in commands
            ],
            default=0,
        )
        page.commands_panel(
            name=COMMANDS_PANEL_TITLE,
            commands=panel_to_commands.get(COMMANDS_PANEL_TITLE, []),
            cmd_len=max_cmd_len,
        )
        for panel_name, commands in panel_to_commands.items():
            if panel_name != COMMANDS_PANEL_TITLE:
                page.commands_panel(name=panel_name, commands=commands, cmd_len=max_cmd_len)
    if obj.epilog:
        epilogue = page.rich_text(text="\n\n".join(obj.epilog.split("\n\n")))
        page.console.print(Padding(Align(epilogue, pad=False), 1))
