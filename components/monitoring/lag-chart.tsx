"use client";
import { useEffect, useRef, useState } from "react";
import "uplot/dist/uPlot.min.css";

type Point = { t: number; lag: number | null; canary: number | null };

/** 24 h of lag and canary latency, drawn with uPlot (loaded only when a chart is on screen). */
export function LagChart({ name }: { name: string }) {
  const host = useRef<HTMLDivElement>(null);
  const [points, setPoints] = useState<Point[] | null>(null);

  useEffect(() => {
    let stop = false;
    const load = async () => {
      const res = await fetch(`/api/v1/environments/${name}/lag`, { cache: "no-store" });
      if (res.ok && !stop) setPoints((await res.json()).points);
    };
    void load();
    const id = setInterval(load, 10_000);
    return () => {
      stop = true;
      clearInterval(id);
    };
  }, [name]);

  useEffect(() => {
    if (!points?.length || !host.current) return;
    let chart: { destroy(): void } | undefined;
    let cancelled = false;
    (async () => {
      const { default: UPlot } = await import("uplot");
      if (cancelled || !host.current) return;
      host.current.innerHTML = "";
      chart = new UPlot(
        {
          width: host.current.clientWidth || 600,
          height: 180,
          series: [
            {},
            { label: "Seconds behind master", stroke: "#1d4ed8", scale: "s", spanGaps: true },
            { label: "Canary ms", stroke: "#059669", scale: "ms", spanGaps: true },
          ],
          axes: [{}, { scale: "s", label: "s" }, { scale: "ms", side: 1, label: "ms", grid: { show: false } }],
        },
        [points.map((p) => p.t / 1000), points.map((p) => p.lag), points.map((p) => p.canary)],
        host.current,
      );
    })();
    return () => {
      cancelled = true;
      chart?.destroy();
    };
  }, [points]);

  if (points && points.length === 0)
    return <p className="text-sm text-slate-500">No samples yet: the console samples every 10 s.</p>;
  return <div ref={host} data-testid="lag-chart" className="min-h-[180px]" />;
}
