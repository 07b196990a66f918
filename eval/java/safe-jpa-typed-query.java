package com.example.catalog;

import javax.persistence.EntityManager;
import java.util.List;
import java.util.Map;

public class ProductRepositoryImpl implements ProductSearch {
    private static final Map<String, String> SORTS = Map.of("name", "p.name", "price", "p.price");
    private final EntityManager em;

    public ProductRepositoryImpl(EntityManager em) { this.em = em; }

    @Override
    public List<Product> byCategory(String category, String sort) {
        String order = SORTS.getOrDefault(sort, "p.name");
        return em.createQuery("SELECT p FROM Product p WHERE p.category = :category ORDER BY " + order, Product.class)
            .setParameter("category", category)
            .getResultList();
    }
}
