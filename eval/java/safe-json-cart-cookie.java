package com.example.cart;

import com.fasterxml.jackson.databind.ObjectMapper;
import javax.servlet.http.*;
import java.io.IOException;
import java.util.Base64;

public class CartCookieReader {
    private final ObjectMapper mapper = new ObjectMapper();

    public Cart read(HttpServletRequest request) throws IOException {
        for (Cookie c : request.getCookies()) {
            if ("cart".equals(c.getName())) {
                return mapper.readValue(Base64.getDecoder().decode(c.getValue()), Cart.class);
            }
        }
        return new Cart();
    }
}
