class Keys {
  static final String CRISP_TOKEN = CRISP_TOKEN_ENV_VARIABLE_NAME;
}
