class Keys {
  static final String INTERCOM_TOKEN = INTERCOM_TOKEN_ENV_VARIABLE_NAME;
}
