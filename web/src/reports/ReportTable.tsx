import type { ReactNode } from "react";
import { t } from "../i18n/strings";
import { downloadCsv, toCsv, type Cell } from "./csv";

interface ReportProps {
  title: string;
  /** Column headings, shown and exported. */
  header: readonly string[];
  /** What the table shows (formatted for the locale). */
  rows: readonly (readonly ReactNode[])[];
  /** The same rows as exact values for the CSV (amounts as the graph sends them). */
  csv: readonly (readonly Cell[])[];
  filename: string;
  children?: ReactNode;
}

/** One report: its chart (children), its table and its CSV export. */
export function Report({ title, header, rows, csv, filename, children }: ReportProps) {
  return (
    <section className="card report" aria-label={title}>
      <div className="report-head">
        <h2>{title}</h2>
        <button type="button" onClick={() => downloadCsv(filename, toCsv(header, csv))}>
          {t("reports.exportCsv")}<span className="sr-only">: {title}</span>
        </button>
      </div>
      {children}
      {rows.length === 0 ? (
        <p>{t("common.none")}</p>
      ) : (
        <table>
          <caption className="sr-only">{title}</caption>
          <thead>
            <tr>{header.map((h) => <th key={h} scope="col">{h}</th>)}</tr>
          </thead>
          <tbody>
            {rows.map((row, i) => (
              <tr key={i}>{row.map((cell, j) => <td key={j}>{cell}</td>)}</tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
