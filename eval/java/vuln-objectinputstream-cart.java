package com.example.cart;

import javax.servlet.http.*;
import java.io.*;
import java.util.Base64;

public class CartCookieReader {
    public Cart read(HttpServletRequest request) throws IOException, ClassNotFoundException {
        for (Cookie c : request.getCookies()) {
            if ("cart".equals(c.getName())) {
                byte[] raw = Base64.getDecoder().decode(c.getValue());
                try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(raw))) {
                    return (Cart) in.readObject();
                }
            }
        }
        return new Cart();
    }
}
