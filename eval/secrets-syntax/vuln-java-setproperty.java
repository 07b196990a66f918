class Boot {
  void init() { System.setProperty("ALGOLIA_ADMIN_KEY", "8nGEMhtHqEbakGQdk5R6xrtRj7YPSNZW"); }
}
