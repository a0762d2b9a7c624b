import { redirect } from "next/navigation";
import { afterSignInPath } from "@/lib/auth/redirect";
import { currentActor } from "@/lib/auth/session";
import { SignInForm } from "@/components/auth/sign-in-form";

export const metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string }> }) {
  if (await currentActor()) redirect("/environments");
  const { callbackUrl } = await searchParams;
  // Only places inside the console, judged by the origin the browser would resolve it to.
  const target = afterSignInPath(callbackUrl);
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <div className="w-full max-w-sm space-y-6">
        <div className="flex items-center gap-2">
          <img src="/icon.svg" alt="" className="h-8 w-8" />
          <span className="text-xl font-semibold">Mariner</span>
        </div>
        <SignInForm callbackUrl={target} />
      </div>
    </main>
  );
}
