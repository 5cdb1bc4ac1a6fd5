"""The code step editor: a QPlainTextEdit with JavaScript/TypeScript highlighting, line numbers and an error line."""

import re

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QFont,
    QFontDatabase,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextDocument,
    QTextFormat,
)
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QWidget

KEYWORDS = [
    "async",
    "await",
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "default",
    "delete",
    "do",
    "else",
    "export",
    "extends",
    "false",
    "finally",
    "for",
    "from",
    "function",
    "if",
    "import",
    "in",
    "instanceof",
    "let",
    "new",
    "null",
    "of",
    "return",
    "static",
    "super",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "undefined",
    "var",
    "void",
    "while",
    "yield",
    "interface",
    "type",
]


_LINE = re.compile(r"\(line (\d+)")


def error_line(message: str | None) -> int | None:
    """The code line a step error names ("… (line 3 of the code)", "(line 2, column 5)")."""
    found = _LINE.search(message or "")
    return int(found.group(1)) if found else None


def _format(colour: str, *, bold: bool = False, italic: bool = False) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(QColor(colour))
    if bold:
        fmt.setFontWeight(QFont.Weight.Bold)
    fmt.setFontItalic(italic)
    return fmt


class JavaScriptHighlighter(QSyntaxHighlighter):
    """Keywords, strings, numbers and comments (line and block)."""

    RULES = (
        (re.compile(r"\b(" + "|".join(KEYWORDS) + r")\b"), _format("#7c3aed", bold=True)),
        (re.compile(r"\b\d+(\.\d+)?\b"), _format("#b45309")),
        (re.compile(r"\b[A-Za-z_]\w*(?=\s*\()"), _format("#1d4ed8")),
        (re.compile(r"\"(\\.|[^\"\\])*\"|'(\\.|[^'\\])*'|`(\\.|[^`\\])*`"), _format("#047857")),
        (re.compile(r"//[^\n]*"), _format("#6b7280", italic=True)),
    )
    COMMENT = _format("#6b7280", italic=True)

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)

    def highlightBlock(self, text: str) -> None:
        for pattern, fmt in self.RULES:
            for match in pattern.finditer(text):
                self.setFormat(match.start(), match.end() - match.start(), fmt)
        self.setCurrentBlockState(0)
        continued = self.previousBlockState() == 1
        start = 0 if continued else text.find("/*")
        while start >= 0:
            end = text.find("*/", start if continued else start + 2)
            continued = False
            if end < 0:
                self.setCurrentBlockState(1)
                self.setFormat(start, len(text) - start, self.COMMENT)
                return
            self.setFormat(start, end + 2 - start, self.COMMENT)
            start = text.find("/*", end + 2)


class _LineNumbers(QWidget):
    def __init__(self, editor: "CodeEditor") -> None:
        super().__init__(editor)
        self.editor = editor

    def sizeHint(self) -> QSize:
        return QSize(self.editor.line_number_width(), 0)

    def paintEvent(self, event: QPaintEvent) -> None:
        self.editor.paint_line_numbers(event)


class CodeEditor(QPlainTextEdit):
    """Monospaced code with line numbers; `mark_error_line(n)` highlights line n (from 1)."""

    #: Focus left the editor (editing finished).
    focus_lost = Signal()

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setTabStopDistance(self.fontMetrics().horizontalAdvance(" ") * 2)
        self.highlighter = JavaScriptHighlighter(self.document())
        self.numbers = _LineNumbers(self)
        self.error_line: int | None = None
        self.blockCountChanged.connect(lambda _: self._update_margin())
        self.updateRequest.connect(self._scroll_numbers)
        self.setPlainText(text)
        self._update_margin()

    def line_number_width(self) -> int:
        """Pixels the line number column needs."""
        digits = len(str(max(1, self.blockCount())))
        return 12 + self.fontMetrics().horizontalAdvance("9") * max(2, digits)

    def mark_error_line(self, line: int | None) -> None:
        """Highlights a line (from 1) as the error's; None clears it."""
        self.error_line = line
        selections = []
        if line is not None:
            block = self.document().findBlockByNumber(line - 1)
            if block.isValid():
                selection = QTextEdit.ExtraSelection()
                selection.format.setBackground(QColor("#fee4e2"))
                selection.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
                cursor = self.textCursor()
                cursor.setPosition(block.position())
                selection.cursor = cursor
                selections.append(selection)
        self.setExtraSelections(selections)
        self.numbers.update()

    def paint_line_numbers(self, event: QPaintEvent) -> None:
        """Draws the numbers of the visible lines."""
        painter = QPainter(self.numbers)
        painter.fillRect(event.rect(), QColor("#f4f5f7"))
        block = self.firstVisibleBlock()
        number = block.blockNumber()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        height = self.fontMetrics().height()
        while block.isValid() and top <= event.rect().bottom():
            if block.isVisible():
                error = self.error_line == number + 1
                painter.setPen(QColor("#d92d20") if error else QColor("#9aa3b2"))
                painter.drawText(
                    0,
                    top,
                    self.numbers.width() - 6,
                    height,
                    Qt.AlignmentFlag.AlignRight,
                    str(number + 1),
                )
            block = block.next()
            top += round(self.blockBoundingRect(block).height()) if block.isValid() else height
            number += 1

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        rect = self.contentsRect()
        self.numbers.setGeometry(
            QRect(rect.left(), rect.top(), self.line_number_width(), rect.height())
        )

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.focus_lost.emit()

    def _update_margin(self) -> None:
        self.setViewportMargins(self.line_number_width(), 0, 0, 0)

    def _scroll_numbers(self, rect: QRect, dy: int) -> None:
        if dy:
            self.numbers.scroll(0, dy)
        else:
            self.numbers.update(0, rect.y(), self.numbers.width(), rect.height())
