class Cfg {
  void init(java.util.Map<String,String> m) { m.put("mixpanel.secret", "W7Jes7UUvx8hhwRNh2hWUSgup3H2oewU"); }
}
