class Billing {
    private static final String CHARGEBEE_API_KEY = "RZpjBq5zZQwGhmGqyKnaoEzP33VCLCqQ";
}
