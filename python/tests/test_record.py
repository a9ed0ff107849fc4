"""The marker must be byte for byte what the Node ledger expects (harness/ledger/record.ts)."""

import unittest

from logjam_driver.record import PayloadSource, encode_record, record_hash


class RecordTest(unittest.TestCase):
    def test_markers_match_the_node_encoder(self):
        # Vectors printed by dist/harness/ledger/record.js's encodeRecord.
        self.assertEqual(encode_record(3, 1042, "Qx81ab"), "lj:3:1042:5d3764fd:Qx81ab;")
        self.assertEqual(encode_record(0, 0, ""), "lj:0:0:117697cd:;")
        # Astral characters count as two UTF-16 units, as in JavaScript.
        self.assertEqual(encode_record(7, 99, "日本😀é\u0301"), "lj:7:99:4c656bbd:日本😀é\u0301;")

    def test_a_changed_payload_changes_the_checksum(self):
        self.assertNotEqual(record_hash(1, 2, "abc"), record_hash(1, 2, "abd"))
        self.assertNotEqual(record_hash(1, 2, "abc"), record_hash(1, 3, "abc"))

    def test_payloads_are_a_function_of_the_seed_and_seq_and_keep_out_the_marker_characters(self):
        a = PayloadSource(42, 1, 300, "utf8")
        b = PayloadSource(42, 1, 300, "utf8")
        for seq in range(200):
            p = a.payload(seq)
            self.assertEqual(p, b.payload(seq))
            self.assertTrue(1 <= len(p) <= 300)
            self.assertNotIn(":", p)
            self.assertNotIn(";", p)

    def test_bounds_are_checked(self):
        with self.assertRaisesRegex(ValueError, "min_length <= max_length"):
            PayloadSource(1, 10, 5)


if __name__ == "__main__":
    unittest.main()
