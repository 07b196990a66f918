package com.example.contacts;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import org.bson.Document;

public class ContactSearch {
    private MongoCollection<Document> contacts;

    public Iterable<Document> sharedWith(String owner) {
        return contacts.find(Filters.eq("sharedWith", owner));
    }
}
