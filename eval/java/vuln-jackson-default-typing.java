package com.example.events;

import com.fasterxml.jackson.databind.ObjectMapper;

public class EventCodec {
    private final ObjectMapper mapper = new ObjectMapper();

    public EventCodec() {
        mapper.enableDefaultTyping();
    }

    public Object decode(byte[] body) throws java.io.IOException {
        return mapper.readValue(body, Object.class);
    }
}
