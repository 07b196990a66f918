package com.example.orders

import org.springframework.jdbc.core.JdbcTemplate
import org.springframework.stereotype.Repository

@Repository
class OrderDao(private val jdbc: JdbcTemplate) {
    fun byStatus(status: String): List<Map<String, Any>> =
        jdbc.queryForList("SELECT id, total FROM orders WHERE status = ? ORDER BY created_at DESC", status)
}
