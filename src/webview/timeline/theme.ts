// Colours and fonts for the canvas, read from the CSS variables VS Code puts on the page, so the
// timeline follows the light, dark and high-contrast themes. Re-read whenever the theme changes.

export interface Palette {
  readonly background: string;
  readonly foreground: string;
  readonly dim: string;
  readonly grid: string;
  readonly headerBackground: string;
  readonly running: string;
  readonly completed: string;
  readonly failed: string;
  readonly waiting: string;
  readonly now: string;
  readonly hover: string;
  /** Drawn around bars in high-contrast themes; empty otherwise. */
  readonly contrastBorder: string;
  readonly highContrast: boolean;
  /** One colour per worker for the series lines. */
  readonly series: readonly string[];
  readonly fontFamily: string;
}

function cssVar(style: CSSStyleDeclaration, name: string, fallback: string): string {
  const value = style.getPropertyValue(name).trim();
  return value || fallback;
}

export function readPalette(): Palette {
  const style = getComputedStyle(document.documentElement);
  const bodyStyle = getComputedStyle(document.body);
  const v = (name: string, fallback: string) => cssVar(bodyStyle, name, cssVar(style, name, fallback));
  const highContrast = document.body.classList.contains('vscode-high-contrast') || document.body.classList.contains('vscode-high-contrast-light');
  const foreground = v('--vscode-foreground', '#cccccc');
  const border = v('--vscode-contrastBorder', '');
  return {
    background: v('--vscode-editor-background', '#1e1e1e'),
    foreground,
    dim: v('--vscode-descriptionForeground', foreground),
    grid: v('--vscode-editorWidget-border', v('--vscode-panel-border', '#80808059')),
    headerBackground: v('--vscode-sideBarSectionHeader-background', v('--vscode-editorWidget-background', '#25252680')),
    running: v('--vscode-charts-blue', '#3794ff'),
    completed: v('--vscode-charts-green', '#89d185'),
    failed: v('--vscode-charts-red', '#f14c4c'),
    waiting: v('--vscode-charts-yellow', '#cca700'),
    now: v('--vscode-editorCursor-foreground', v('--vscode-focusBorder', foreground)),
    hover: v('--vscode-focusBorder', foreground),
    contrastBorder: highContrast ? border || foreground : '',
    highContrast,
    series: [
      v('--vscode-charts-blue', '#3794ff'),
      v('--vscode-charts-orange', '#d18616'),
      v('--vscode-charts-purple', '#b180d7'),
      v('--vscode-charts-green', '#89d185'),
      v('--vscode-charts-yellow', '#cca700'),
      v('--vscode-charts-red', '#f14c4c'),
    ],
    fontFamily: v('--vscode-font-family', 'system-ui, sans-serif'),
  };
}
