package io.chainboot.inventory.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Many rows in one statement: the rows are bound as one PostgreSQL array per column, which the
 * SQL turns back into rows with {@code unnest(?::text[], ?::integer[], …)}. One round trip for a
 * whole batch, and one statement text (prepared once) whatever the batch's size.
 *
 * <p>Column types are array element types JDBC can build: {@code text}, {@code integer},
 * {@code bigint}, {@code boolean}. A {@code text} column takes any value by its
 * {@code toString()} — UUIDs, instants — for the SQL to cast ({@code ?::uuid[]},
 * {@code ?::timestamptz[]}).
 */
public final class ArrayRows {
    private final String[] types;
    private final List<Object[]> rows = new ArrayList<>();

    public ArrayRows(String... types) {
        for (String t : types) {
            if (!List.of("text", "integer", "bigint", "boolean").contains(t)) {
                throw new IllegalArgumentException("unsupported array element type " + t);
            }
        }
        this.types = types.clone();
    }

    /** One row: one value per column, in order; null is SQL NULL. */
    public ArrayRows add(Object... row) {
        if (row.length != types.length) {
            throw new IllegalArgumentException("a row of " + row.length + " values for " + types.length + " columns");
        }
        rows.add(row);
        return this;
    }

    public int size() {
        return rows.size();
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    /** Binds column {@code k} as parameter {@code first + k}. */
    public void bind(Connection c, PreparedStatement s, int first) throws SQLException {
        for (int k = 0; k < types.length; k++) {
            Object[] column = switch (types[k]) {
                case "integer" -> new Integer[rows.size()];
                case "bigint" -> new Long[rows.size()];
                case "boolean" -> new Boolean[rows.size()];
                default -> new String[rows.size()];
            };
            for (int r = 0; r < rows.size(); r++) {
                Object v = rows.get(r)[k];
                column[r] = v == null || !(column instanceof String[]) ? v : v.toString();
            }
            s.setArray(first + k, c.createArrayOf(types[k], column));
        }
    }

    /** Runs {@code sql} with the columns bound from parameter 1; returns the rows changed. */
    public int update(Connection c, String sql) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            bind(c, s, 1);
            return s.executeUpdate();
        }
    }

    /** Runs {@code sql} with the columns bound from parameter 1 and hands each result row to {@code reader}. */
    public void query(Connection c, String sql, RowReader reader) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            bind(c, s, 1);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    reader.read(rs);
                }
            }
        }
    }

    /** Reads one result row. */
    @FunctionalInterface
    public interface RowReader {
        void read(ResultSet rs) throws SQLException;
    }
}
