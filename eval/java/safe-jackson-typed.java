package com.example.events;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

public class EventCodec {
    private final ObjectMapper mapper = new ObjectMapper()
        .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    public OrderEvent decode(byte[] body) throws java.io.IOException {
        return mapper.readValue(body, OrderEvent.class);
    }
}
