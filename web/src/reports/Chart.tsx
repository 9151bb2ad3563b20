/**
 * A bar or line chart (Chart.js, bundled) over labelled values, with the same figures in
 * a table beside it: screen readers and tests read the table, people the picture.
 */
import { useEffect, useRef } from "react";
import {
  BarController, BarElement, CategoryScale, Chart as ChartJs, Legend, LinearScale,
  LineController, LineElement, PointElement, Tooltip,
} from "chart.js";
import { t } from "../i18n/strings";

ChartJs.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Tooltip, Legend);

export interface Series {
  label: string;
  values: readonly number[];
}

interface ChartProps {
  title: string;
  kind: "bar" | "line";
  labels: readonly string[];
  series: readonly Series[];
  format?: (value: number) => string;
}

const COLOURS = ["#1d4ed8", "#b45309", "#047857", "#9d174d"];

export function Chart({ title, kind, labels, series, format = String }: ChartProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const chart = new ChartJs(canvas.current, {
      type: kind,
      data: {
        labels: [...labels],
        datasets: series.map((s, i) => ({
          label: s.label, data: [...s.values],
          backgroundColor: COLOURS[i % COLOURS.length], borderColor: COLOURS[i % COLOURS.length],
        })),
      },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false,
        plugins: { tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${format(Number(ctx.raw))}` } } },
      },
    });
    return () => chart.destroy();
  }, [kind, labels, series, format]);
  return (
    <figure className="chart">
      <div className="chart-box">
        <canvas ref={canvas} role="img" aria-label={t("reports.chart", { title })} />
      </div>
      <figcaption>{title}</figcaption>
    </figure>
  );
}
