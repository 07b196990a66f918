package com.example.catalog;

import javax.persistence.EntityManager;
import java.util.List;

public class ProductRepositoryImpl implements ProductSearch {
    private final EntityManager em;

    public ProductRepositoryImpl(EntityManager em) { this.em = em; }

    @Override
    @SuppressWarnings("unchecked")
    public List<Product> byCategory(String category, String sort) {
        return em.createNativeQuery(
                "SELECT * FROM product WHERE category = '" + category + "' ORDER BY " + sort,
                Product.class)
            .getResultList();
    }
}
