// corgi-expect: java-mongodb-where-injection
package com.example.contacts;

import com.mongodb.BasicDBObject;
import com.mongodb.client.MongoCollection;
import org.bson.Document;

public class ContactSearch {
    private MongoCollection<Document> contacts;

    public Iterable<Document> sharedWith(String owner) {
        BasicDBObject query = new BasicDBObject();
        query.put("$where", "this.sharedWith == '" + owner + "'");
        return contacts.find(query);
    }
}
