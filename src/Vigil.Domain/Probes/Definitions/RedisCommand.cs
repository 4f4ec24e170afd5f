namespace Vigil.Domain.Probes.Definitions;

/// <summary>The read commands a redis probe may send: nothing else is ever sent by it.</summary>
public enum RedisCommand { Get, HGet, XLen, LLen }
