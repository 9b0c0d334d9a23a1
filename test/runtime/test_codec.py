"""The value codec and the RPC frames: exact round trips for plain values, and a decoder that builds nothing
but plain types whatever bytes it is given."""

import math
import unittest

import numpy as np

from gradlab import codec, rpc


class Handle:
    def __init__(self, number, type_name):
        self.number, self.type_name = number, type_name


def round_trip(value, objects=None):
    """Encode as the learner's process does (other objects become handles), frame, unframe, decode."""
    objects = objects if objects is not None else []

    def other(obj):
        objects.append(obj)
        return {"$handle": len(objects), "type": type(obj).__name__}

    frame = rpc.encode({"ok": codec.to_json(value, other)})
    (message,) = rpc.FrameBuffer().feed(frame)
    return codec.from_json(message["ok"], Handle)


class RoundTrips(unittest.TestCase):
    def test_floats_are_exact(self):
        for number in (0.1, 1 / 3, 1e-310, -0.0, 2.0 ** 1000, 6.02214076e23):
            back = round_trip(number)
            self.assertEqual(type(back), float)
            self.assertEqual(back.hex(), number.hex())

    def test_non_finite_floats_are_tagged(self):
        nan, inf, minus = round_trip([math.nan, math.inf, -math.inf])
        self.assertTrue(math.isnan(nan))
        self.assertEqual((inf, minus), (math.inf, -math.inf))

    def test_containers_keep_their_kind(self):
        value = {"w": (1, 2.5, True, None, "x"), "$tricky": [{"$float": "nan"}], "big": 2 ** 80,
                 "z": complex(1, -2)}
        self.assertEqual(round_trip(value), value)
        self.assertIsInstance(round_trip(value)["w"], tuple)

    def test_arrays_keep_dtype_shape_and_bits(self):
        for array in (np.arange(12, dtype=np.float32).reshape(3, 4), np.array([[1, 2]], dtype=np.int64).T,
                      np.array(2.5), np.zeros((0, 3)), np.array([True, False]), np.arange(6.0)[::2],
                      np.array([1 + 2j])):
            back = round_trip(array)
            self.assertEqual((back.dtype, back.shape), (array.dtype, array.shape))
            np.testing.assert_array_equal(back, array)
            self.assertTrue(back.flags.writeable)

    def test_numpy_scalars_become_python_scalars(self):
        self.assertEqual(type(round_trip(np.float32(0.5))), float)
        self.assertEqual(type(round_trip(np.int64(7))), int)
        self.assertEqual(type(round_trip(np.bool_(True))), bool)

    def test_torch_tensors_become_arrays(self):
        try:
            import torch
        except ImportError:
            self.skipTest("PyTorch is not installed")
        tensor = torch.ones(2, 3, requires_grad=True) * 2
        back = round_trip(tensor)
        self.assertIsInstance(back, np.ndarray)
        np.testing.assert_array_equal(back, np.full((2, 3), 2.0, dtype=np.float32))

    def test_other_objects_become_handles(self):
        objects = []
        thing = object()
        back = round_trip({"model": thing}, objects)
        self.assertIsInstance(back["model"], Handle)
        self.assertEqual((back["model"].number, back["model"].type_name), (1, "object"))
        self.assertIs(objects[0], thing)

    def test_a_cycle_becomes_a_handle_instead_of_recursing(self):
        loop = [1.0]
        loop.append(loop)
        back = round_trip(loop)
        self.assertEqual(back[0], 1.0)
        self.assertIsInstance(back[1], Handle)

    def test_lying_subclasses_travel_as_their_true_value(self):
        class Six(float):
            def __float__(self):
                return 6.0

            def __repr__(self):
                return "6.0"

            def __eq__(self, other):
                return True

        class Seven(int):
            def __index__(self):
                return 7

            def __int__(self):
                return 7

        back = round_trip([Six(5.0), Seven(3)])
        self.assertEqual([type(v) for v in back], [float, int])
        self.assertEqual(back, [5.0, 3])


class StrictDecoding(unittest.TestCase):
    def refuse(self, tree):
        with self.assertRaises(codec.CodecError):
            codec.from_json(tree, Handle)

    def test_unknown_and_malformed_tags_are_refused(self):
        self.refuse({"$pickle": "gASV"})
        self.refuse({"$float": "six"})
        self.refuse({"$tuple": 3})
        self.refuse({"$handle": "1", "type": "Value"})
        self.refuse({"$float": "nan", "extra": 1})
        self.refuse({"$dict": [[1, 2]]})

    def test_only_numeric_arrays_are_built(self):
        self.refuse({"$ndarray": {"dtype": "|O", "shape": [1], "data": "AAAAAAAAAAA="}})
        self.refuse({"$ndarray": {"dtype": "<f8", "shape": [2], "data": "AAAAAAAAAAA="}})
        self.refuse({"$ndarray": {"dtype": "[('a', '<f8')]", "shape": [1], "data": "AAAAAAAAAAA="}})
        self.refuse({"$ndarray": {"dtype": "<f8", "shape": [-1], "data": ""}})

    def test_frames_refuse_bare_nan_and_oversized_lengths(self):
        with self.assertRaises(rpc.FrameError):
            rpc.FrameBuffer().feed(rpc.HEADER.pack(3) + b"NaN")
        with self.assertRaises(rpc.FrameError):
            rpc.FrameBuffer().feed(rpc.HEADER.pack(rpc.MAX_FRAME_BYTES + 1))
        with self.assertRaises(rpc.FrameError):
            rpc.FrameBuffer().feed(rpc.HEADER.pack(2) + b"[]")

    def test_frames_arrive_in_pieces(self):
        data = rpc.encode({"ok": 1}) + rpc.encode({"ok": 2})
        buffer = rpc.FrameBuffer()
        frames = []
        for i in range(len(data)):
            frames += buffer.feed(data[i:i + 1])
        self.assertEqual(frames, [{"ok": 1}, {"ok": 2}])


if __name__ == "__main__":
    unittest.main()
