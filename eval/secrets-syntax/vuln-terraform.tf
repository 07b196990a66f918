variable "honeybadger_app_key" {
  default = "isNR6x6aDuqPvisw3Buz8iTEcxArC3nd"
}
