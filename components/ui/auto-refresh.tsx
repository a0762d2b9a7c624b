"use client";
import { useRouter } from "next/navigation";
import { useEffect } from "react";

/**
 * Re-renders the server components of the page every few seconds while it is visible (live status badges);
 * `paused` while the user is in the middle of something the new data would disturb (a dialog, a drag).
 */
export function AutoRefresh({ intervalMs = 3000, paused = false }: { intervalMs?: number; paused?: boolean }) {
  const router = useRouter();
  useEffect(() => {
    if (paused) return;
    const id = setInterval(() => {
      if (document.visibilityState === "visible") router.refresh();
    }, intervalMs);
    return () => clearInterval(id);
  }, [router, intervalMs, paused]);
  return null;
}
