/**
 * The job summary, built as Markdown by stage logic and written once by the stage runner (scrubbed of secrets,
 * capped below GitHub's 1 MiB per step). The CLI prints the same text.
 */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024 - 16 * 1024;

export type Cell = string | number | boolean | undefined | null;

function esc(cell: Cell): string {
  if (cell === undefined || cell === null) return '';
  return String(cell).replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

export class Summary {
  private parts: string[] = [];

  heading(text: string, level = 2): this {
    this.parts.push(`${'#'.repeat(level)} ${text}\n`);
    return this;
  }

  paragraph(text: string): this {
    this.parts.push(`${text}\n`);
    return this;
  }

  table(header: string[], rows: Cell[][]): this {
    if (rows.length === 0) return this;
    const lines = [`| ${header.map(esc).join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
    for (const r of rows) lines.push(`| ${r.map(esc).join(' | ')} |`);
    this.parts.push(lines.join('\n') + '\n');
    return this;
  }

  list(items: string[]): this {
    if (items.length) this.parts.push(items.map((i) => `- ${i}`).join('\n') + '\n');
    return this;
  }

  code(text: string, lang = ''): this {
    this.parts.push('```' + lang + '\n' + text.replace(/```/g, '`\u200b``') + '\n```\n');
    return this;
  }

  details(title: string, body: string): this {
    this.parts.push(`<details><summary>${title}</summary>\n\n${body}\n\n</details>\n`);
    return this;
  }

  get empty(): boolean {
    return this.parts.length === 0;
  }

  toString(): string {
    let text = this.parts.join('\n');
    if (Buffer.byteLength(text) > SUMMARY_LIMIT_BYTES) {
      text = Buffer.from(text).subarray(0, SUMMARY_LIMIT_BYTES).toString('utf8') + '\n\n_(summary truncated to fit GitHub\'s 1 MiB limit)_\n';
    }
    return text;
  }
}
