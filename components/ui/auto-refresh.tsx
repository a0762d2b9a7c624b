"use client";
import { useRouter } from "next/navigation";
import { useEffect } from "react";

/** Re-renders the server components of the page every few seconds while it is visible (live status badges). */
export function AutoRefresh({ intervalMs = 3000 }: { intervalMs?: number }) {
  const router = useRouter();
  useEffect(() => {
    const id = setInterval(() => {
      if (document.visibilityState === "visible") router.refresh();
    }, intervalMs);
    return () => clearInterval(id);
  }, [router, intervalMs]);
  return null;
}
