object Keys {
    val crispToken: String = "JZZNYihdMozKYacUUAaJENHDzyaVvy9w"
}
