export interface Actor {
  id: string;
  email: string;
  role: "admin" | "user";
}

export const isAdmin = (a: Actor) => a.role === "admin";
