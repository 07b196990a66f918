// corgi-expect: js-jwt-in-localstorage
import { api } from "./api";

export async function signIn(email: string, password: string): Promise<void> {
  const { data } = await api.post("/auth/login", { email, password });
  localStorage.setItem("auth", data.accessToken);
}
