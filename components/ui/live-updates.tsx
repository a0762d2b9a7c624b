"use client";
import { useRouter } from "next/navigation";
import { useEffect } from "react";

/** Re-renders the page's server components when the console pushes a status change (server-sent events). */
export function LiveUpdates() {
  const router = useRouter();
  useEffect(() => {
    const source = new EventSource("/api/v1/events");
    let first = true;
    source.addEventListener("status", () => {
      if (first)
        first = false; // the initial snapshot matches what the page already shows
      else router.refresh();
    });
    return () => source.close();
  }, [router]);
  return null;
}
