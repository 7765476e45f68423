package io.continuum.recommendation.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Signals indexed for training: users and items get dense indexes, and the non-zero entries are kept twice in
 * compressed rows (by user and by item) so both half-steps of ALS read their rows without searching. Several signals
 * of one pair add up.
 */
public final class Dataset {

    final String[] users;
    final String[] items;
    final Map<String, Integer> itemIndex;
    // by user: entries userStart[u] .. userStart[u+1]-1
    final int[] userStart;
    final int[] userItems;
    final double[] userStrength;
    // by item
    final int[] itemStart;
    final int[] itemUsers;
    final double[] itemStrength;
    /** Positive interactions per item: the popularity prior. */
    final int[] positives;

    private Dataset(String[] users, String[] items, Map<String, Integer> itemIndex, List<Map<Integer, Double>> rows) {
        this.users = users;
        this.items = items;
        this.itemIndex = itemIndex;
        int nnz = rows.stream().mapToInt(Map::size).sum();
        userStart = new int[users.length + 1];
        userItems = new int[nnz];
        userStrength = new double[nnz];
        int[] perItem = new int[items.length];
        positives = new int[items.length];
        int k = 0;
        for (int u = 0; u < users.length; u++) {
            userStart[u] = k;
            for (Map.Entry<Integer, Double> e : rows.get(u).entrySet()) {
                userItems[k] = e.getKey();
                userStrength[k] = e.getValue();
                perItem[e.getKey()]++;
                if (e.getValue() > 0) {
                    positives[e.getKey()]++;
                }
                k++;
            }
        }
        userStart[users.length] = k;
        itemStart = new int[items.length + 1];
        for (int i = 0; i < items.length; i++) {
            itemStart[i + 1] = itemStart[i] + perItem[i];
        }
        itemUsers = new int[nnz];
        itemStrength = new double[nnz];
        int[] fill = Arrays.copyOf(itemStart, items.length);
        for (int u = 0; u < users.length; u++) {
            for (int j = userStart[u]; j < userStart[u + 1]; j++) {
                int at = fill[userItems[j]]++;
                itemUsers[at] = u;
                itemStrength[at] = userStrength[j];
            }
        }
    }

    /**
     * Indexes {@code signals}; {@code catalog} (may be empty) adds items nobody interacted with yet, so the model can
     * still rank them by the prior.
     */
    public static Dataset of(Iterable<Signal> signals, Iterable<String> catalog) {
        Map<String, Integer> userIndex = new LinkedHashMap<>();
        Map<String, Integer> itemIndex = new LinkedHashMap<>();
        List<Map<Integer, Double>> rows = new ArrayList<>();
        for (Signal s : signals) {
            if (s.strength() == 0) {
                continue;
            }
            int u = userIndex.computeIfAbsent(s.user(), x -> {
                rows.add(new HashMap<>());
                return rows.size() - 1;
            });
            int i = itemIndex.computeIfAbsent(s.item(), x -> itemIndex.size());
            rows.get(u).merge(i, s.strength(), Double::sum);
        }
        for (String item : catalog) {
            itemIndex.computeIfAbsent(item, x -> itemIndex.size());
        }
        return new Dataset(userIndex.keySet().toArray(String[]::new), itemIndex.keySet().toArray(String[]::new),
                Map.copyOf(itemIndex), rows);
    }

    public int userCount() {
        return users.length;
    }

    public int itemCount() {
        return items.length;
    }

    public int interactionCount() {
        return userItems.length;
    }
}
