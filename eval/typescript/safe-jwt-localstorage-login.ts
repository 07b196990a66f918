import { api } from "./api";

export async function signIn(email: string, password: string): Promise<void> {
  // The server sets the session in an HttpOnly, Secure cookie; only the display name is kept.
  const { data } = await api.post("/auth/login", { email, password }, { withCredentials: true });
  localStorage.setItem("displayName", data.displayName);
}
