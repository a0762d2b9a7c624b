"use client";
import { useEffect, useRef } from "react";
import { Button } from "./button";

/** A native <dialog> opened as a modal on mount, labelled by its title; Escape closes it. */
export function Modal({ title, onClose, children }: { title: string; onClose: () => void; children: React.ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  return (
    <dialog ref={ref} onClose={onClose} aria-label={title} className="m-auto w-full max-w-md rounded-lg p-0 shadow-xl">
      <div className="space-y-4 p-5">
        <h2 className="text-lg font-semibold">{title}</h2>
        {children}
      </div>
    </dialog>
  );
}

/** The error line and Cancel / submit buttons every dialog form ends with. */
export function DialogActions({
  error,
  pending,
  onCancel,
  submitLabel,
}: {
  error?: string;
  pending: boolean;
  onCancel: () => void;
  submitLabel: string;
}) {
  return (
    <>
      {error && (
        <p role="alert" className="text-sm text-red-700">
          {error}
        </p>
      )}
      <div className="flex justify-end gap-2">
        <Button type="button" variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" disabled={pending}>
          {submitLabel}
        </Button>
      </div>
    </>
  );
}
