object Keys {
    val intercomToken: String = "JZZNYihdMozKYacUUAaJENHDzyaVvy9w"
}
