// corgi-expect: java-dataflow-sql
package com.example.search;

import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
public class ProductSearchController {
    private final JdbcTemplate jdbc;

    public ProductSearchController(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @GetMapping("/products")
    public List<String> search(@RequestParam("q") String term, @RequestParam(defaultValue = "name") String sort) {
        StringBuilder sql = new StringBuilder("SELECT name FROM products WHERE name LIKE '%");
        sql.append(term);
        sql.append("%' ORDER BY ").append(sort);
        return jdbc.queryForList(sql.toString(), String.class);
    }
}
